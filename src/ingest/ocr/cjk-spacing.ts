/** Han characters, CJK punctuation and full-width forms: written without spaces between them. */
const CJK = '\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])[ \\t]+(?=[${CJK}])`, 'gu');

/**
 * Tesseract's Chinese models put a space between every character or word ("季度 销售 报告"). Chinese is
 * written without them, and keyword search tokenises it by character anyway, so remove spaces between two
 * CJK characters; spaces around Latin words ("使用 API 接口") stay, as a typesetter would keep them.
 */
export function removeSpacesBetweenCjk(text: string): string {
  return text.replace(SPACE_BETWEEN_CJK, '');
}
