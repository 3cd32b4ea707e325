/**
 * The source list a model appends to its answer ("Sources:", "References:", "参考资料：", footnote
 * definitions) although citebot shows its own: removed, so the answer does not list its sources twice
 * and numbers in the list do not count as citations.
 */

const HEADING_WORDS = [
  'sources?',
  'source list',
  'references?',
  'citations?',
  'cited sources',
  'bibliography',
  'works cited',
  '参考资料',
  '参考文献',
  '参考来源',
  '资料来源',
  '引用来源',
  '来源',
  '引用',
  '出处',
].join('|');
const EMPHASIS = '(?:\\*\\*|__|\\*|_)?';
/** A line that is only a heading: "Sources:", "## References", "**参考资料：**". */
const HEADING_LINE = new RegExp(
  `^\\s*(?:#{1,6}\\s*)?${EMPHASIS}\\s*(?:${HEADING_WORDS})\\s*${EMPHASIS}\\s*[:：]?\\s*${EMPHASIS}\\s*$`,
  'iu',
);
/** A heading with its entries on the same line: "Sources: [1], [3]", "来源：[1]、[2]". */
const INLINE_HEADING = new RegExp(
  `^\\s*(?:#{1,6}\\s*)?${EMPHASIS}\\s*(?:${HEADING_WORDS})\\s*${EMPHASIS}\\s*[:：]\\s*${EMPHASIS}(.+)$`,
  'iu',
);
/** A list entry: a bullet, "1.", "[1]", "【1】", "[^1]:". */
const ENTRY_LINE = /^\s*(?:[-*•+]\s|\d{1,3}[.)]\s|\[\^?\d{1,4}\]:?|【\d{1,4}】)\s*\S/u;
/** Footnote definitions, which need no heading. */
const FOOTNOTE_DEFINITION = /^\s*\[\^\d{1,4}\]:/u;
const RULE_LINE = /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/u;
const MAX_ENTRY_CHARS = 300;

/**
 * `text` without a trailing model-written source list (and the rule or blank lines before it).
 * `sourceNames` are the file names of the sources: an entry line may also be just a name.
 */
export function removeSourceList(text: string, sourceNames: readonly string[] = []): string {
  const lines = text.split('\n');
  let end = lines.length;
  while (end > 0 && !lines[end - 1]!.trim()) end--;
  let start = end;
  while (start > 0 && isEntry(lines[start - 1]!, sourceNames)) start--;

  let cut = -1;
  if (start > 0 && HEADING_LINE.test(lines[start - 1]!)) cut = start - 1;
  else if (start > 0 && isInlineList(lines[start - 1]!, sourceNames)) cut = start - 1;
  else if (
    start < end &&
    lines
      .slice(start, end)
      .filter((line) => line.trim())
      .every((line) => FOOTNOTE_DEFINITION.test(line))
  )
    cut = start;
  if (cut < 0) return text;

  while (cut > 0 && (!lines[cut - 1]!.trim() || RULE_LINE.test(lines[cut - 1]!))) cut--;
  return lines.slice(0, cut).join('\n').trimEnd();
}

function isEntry(line: string, sourceNames: readonly string[]): boolean {
  if (!line.trim() || line.length > MAX_ENTRY_CHARS) return !line.trim();
  // A bare bullet is an entry being written (a streamed prefix) or an empty one.
  if (ENTRY_LINE.test(line) || /^\s*(?:[-*•+]|\d{1,3}[.)])\s*$/u.test(line)) return true;
  const flat = line.trim().toLowerCase();
  return sourceNames.some((name) => name && flat.startsWith(name.toLowerCase()));
}

/** "Sources: [1], [3]" or "Sources: handbook.md, Normans.md": nothing after the colon but markers and names. */
function isInlineList(line: string, sourceNames: readonly string[]): boolean {
  const rest = INLINE_HEADING.exec(line)?.[1];
  if (rest === undefined || rest.length > MAX_ENTRY_CHARS) return false;
  let left = rest.replace(/[[［【(（][^\]］】)）\n]*[\]］】)）]/gu, ' ');
  for (const name of sourceNames) if (name) left = left.split(name).join(' ');
  return /^[\s,，、;；.。*_&和及and-]*$/iu.test(left);
}

/**
 * Whether the last line of a streamed prefix may be the start of a source-list heading ("Sour",
 * "## Refer", "参考"): a partial answer holds such a line back until it is clearly something else.
 */
export function mayStartSourceList(lastLine: string): boolean {
  const line = lastLine.replace(/^\s*(?:#{1,6}\s*)?(?:\*\*|__|\*|_)?/u, '').toLowerCase();
  if (!line || line.length > 24) return false;
  const words = ['sources', 'source list', 'references', 'citations', 'cited sources', 'bibliography', 'works cited'];
  const chinese = ['参考资料', '参考文献', '参考来源', '资料来源', '引用来源', '来源', '引用', '出处'];
  return [...words, ...chinese].some(
    (word) => word.startsWith(line) || (line.startsWith(word) && /^[\s*_:：]*$/u.test(line.slice(word.length))),
  );
}
