/**
 * Text measures shared by chunking, the keyword index and (later) the context budget.
 * Chinese and Japanese have no spaces between words, so both the token estimate and the
 * keyword tokenizer treat CJK characters on their own terms.
 */

/** CJK ideographs, kana and hangul: roughly one model token each. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
const CJK_GLOBAL = new RegExp(CJK.source, 'gu');

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

/**
 * Estimate a text's length in model tokens without a tokenizer: one per CJK character,
 * one per four other characters (the usual figure for English BPE vocabularies).
 * It errs high, which is the safe side for budgets.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK_GLOBAL)?.length ?? 0;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const CJK_RUNS = new RegExp(`(${CJK.source}+)`, 'u');
const WORD = /[\p{L}\p{N}]+/gu;

/** Words too common to help ranking; dropping them keeps keyword queries fast on large indexes. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to too us was we were ' +
    'what when where which who whom whose why will with would you your ' +
    '的 了 是 在 和 与 及 或 也 都 就 而 之 其 这 那 个 有 为 被 把 对 于 从 以 等 吗 呢 吧 啊'
  ).split(' '),
);

/**
 * Keyword terms for BM25: lowercase words for alphabetic scripts (stemming is left to the index),
 * dictionary words for CJK runs, plus the character bigrams of longer CJK words so that a
 * question segmented differently from the document still matches.
 */
export function keywordTerms(text: string): string[] {
  return keywordWords(text).flatMap(expandCjkWord);
}

/** A word and, for a CJK word of three or more characters, its character bigrams. */
function expandCjkWord(word: string): string[] {
  const chars = [...word];
  if (chars.length <= 2 || !hasCjk(word)) return [word];
  const terms = [word];
  for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i]! + chars[i + 1]!);
  return terms;
}

/** The words of keywordTerms, in order, without the bigram expansions (for judging which words are adjacent). */
export function keywordWords(text: string): string[] {
  const words: string[] = [];
  // Only CJK runs need the (slow) dictionary segmenter; everything else splits on non-letters.
  for (const run of text.normalize('NFKC').toLowerCase().split(CJK_RUNS)) {
    if (!run) continue;
    if (!hasCjk(run)) {
      for (const word of run.match(WORD) ?? []) if (!STOPWORDS.has(word)) words.push(word);
      continue;
    }
    for (const { segment, isWordLike } of segmenter.segment(run)) {
      if (isWordLike && !STOPWORDS.has(segment)) words.push(segment);
    }
  }
  return words;
}
