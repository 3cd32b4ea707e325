/**
 * Finds the citation markers in model output, in the many forms real models write them:
 * [1], [1, 3], [1-3], [1 2], ［1］, 【1】, 【1†source】, [^1], [[1]], [1](https://…), [1, p. 3],
 * [Source 1], (Source 1), [citation:1], [Document 1], [doc1], [ID:1], 来源1, a file name
 * ([report.pdf], (Source: report.pdf)), and a bare (1) where nothing else can be meant.
 * What a marker cites is resolved here; checking it against the sources is citations.ts's job.
 */
import { findCodeRanges, insideAny } from './sanitize.js';

/** What a marker needs to know of a source: its prompt number, file name and document. */
export interface MarkerSource {
  n: number;
  source: string;
  docId: string;
}

export interface CitationMarker {
  start: number;
  end: number;
  /** Prompt numbers as written, ranges expanded, in order. */
  numbers: number[];
  /** Parts that cite something no source is: a file name no source has. */
  unresolved: number;
  /** A file name shared by different documents: shown as plain text, since which one is meant is unknown. */
  plainText?: string;
}

/** A range like [1-30] is the model being sloppy; it never cites more than this many at once. */
const MAX_RANGE_LENGTH = 20;
const MAX_BODY = 160;

/** [[…]] first, then one bracket pair: square (ASCII and full-width), lenticular, round (ASCII and full-width). */
const BRACKETED = new RegExp(
  `\\[\\[([^\\[\\]\\n]{1,${MAX_BODY}})\\]\\]|([\\[［【(（])([^\\[\\]［］【】()（）\\n]{1,${MAX_BODY}})([\\]］】)）])`,
  'gu',
);
const CLOSING: Record<string, string> = { '[': ']', '［': '］', '【': '】', '(': ')', '（': '）' };
/** A markdown link target right after "[1]": "(https://…)", "(<…>)", "(url "title")". */
const LINK_TARGET = /^\(\s*<?[^\s()<>]*>?(?:\s+"[^"\n]*")?\s*\)/u;

/** Words models put before a source number or file name (after NFKC, so full-width letters count). */
const KEYWORD =
  '(?:sources?|citations?|cite|cited|documents?|docs?|ids?|refs?|references?|passages?|excerpts?|chunks?|files?|' +
  '参考资料|参考文献|参考|来源|资料|文档|文件|出处|引用|引文|片段)';
const KEYWORD_PREFIX = new RegExp(`^(?:(?:see|cf\\.?|per|参见|见)\\s+)?${KEYWORD}(?:\\s*(?:id|#|no\\.?))?\\s*[:#=]?\\s*`, 'iu');
const KEYWORD_ANYWHERE = new RegExp(`${KEYWORD}(?:\\s*(?:id|#|no\\.?))?\\s*[:#=]?`, 'giu');
/** ", p. 3", " page 3-4", ": slide 2", "，第3页": where in the source, not another source. */
const LOCATION_SUFFIX =
  /(?:\s*[,;:]\s*|\s+)(?:pp?|pg|pages?|slides?|sheets?|sections?|sec|lines?|paras?|paragraphs?|§)\.?\s*\d[\w.]*(?:\s*[-–]\s*\d+)?\s*$|\s*[,;:]?\s*第\s*\d+\s*[页頁张節节]\s*$/iu;
const NUMBER_LIST = /^\d{1,4}(?:-\d{1,4})?(?:(?:\s*(?:[,;、&]|\band\b|和|及|与)\s*|\s+)\d{1,4}(?:-\d{1,4})?)*$/iu;
const FILE_NAME = /\.(?:pdf|docx?|pptx?|xlsx?|csv|tsv|html?|md|markdown|txt|json|ya?ml|xml|rtf|odt|png|jpe?g|webp|gif|tiff?|bmp)$/iu;

type Bracket = 'square' | 'round';

interface Parsed {
  numbers: number[];
  unresolved: number;
  plainText?: string;
  /** A bare "(n)": a citation only where nothing else can be meant (see isBareCitation). */
  bare?: boolean;
}

/** Every marker in `text` outside code, in order; a link target after a marker is part of it. */
export function findCitationMarkers(text: string, sources: readonly MarkerSource[]): CitationMarker[] {
  const code = findCodeRanges(text);
  const names = sourceNames(sources);
  const known = new Set(sources.map((s) => s.n));
  const markers: CitationMarker[] = [];
  const pattern = new RegExp(BRACKETED.source, BRACKETED.flags);
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [whole, doubled, open, body, close] = match as unknown as [string, string?, string?, string?, string?];
    let end = match.index + whole.length;
    const bracket: Bracket = open === '(' || open === '（' ? 'round' : 'square';
    const link = bracket === 'square' ? LINK_TARGET.exec(text.slice(end)) : null;
    if (insideAny(code, match.index) || (open && CLOSING[open] !== close)) continue;
    const parsed = parseBody(doubled ?? body!, bracket, names);
    if (!parsed) {
      // "[text](url)" is a link, not a marker followed by a parenthesis: skip its target too.
      if (link) pattern.lastIndex = end + link[0].length;
      continue;
    }
    if (parsed.bare && !isBareCitation(text, match.index, end, parsed.numbers[0]!, known)) continue;
    if (link) end += link[0].length;
    markers.push({ start: match.index, end, numbers: parsed.numbers, unresolved: parsed.unresolved, plainText: parsed.plainText });
  }
  return markers;
}

/** File name (lower case, NFKC) → the prompt numbers of its passages and how many documents have that name. */
type SourceNames = Map<string, { numbers: number[]; documents: Set<string> }>;

function sourceNames(sources: readonly MarkerSource[]): SourceNames {
  const names: SourceNames = new Map();
  for (const s of sources) {
    const key = nameKey(s.source);
    if (!key) continue;
    const entry = names.get(key) ?? { numbers: [], documents: new Set<string>() };
    entry.numbers.push(s.n);
    entry.documents.add(s.docId);
    names.set(key, entry);
  }
  return names;
}

const nameKey = (name: string) =>
  name
    .normalize('NFKC')
    .trim()
    .replace(/^["'`“‘]+|["'`”’]+$/gu, '')
    .trim()
    .toLowerCase();

function parseBody(raw: string, bracket: Bracket, names: SourceNames): Parsed | null {
  let body = raw.normalize('NFKC').trim();
  if (bracket === 'square' && body.startsWith('^')) body = body.slice(1); // footnote [^1]
  if (body.includes('†')) body = body.split('†')[0]!.replace(/^(\d+):\d+$/u, '$1'); // 【1†source】, 【4:0†source】
  const keyword = KEYWORD_PREFIX.exec(body);
  if (keyword) body = body.slice(keyword[0].length);
  body = body
    .replace(LOCATION_SUFFIX, '')
    .replace(/^["'“‘](.*)["'”’]$/u, '$1')
    .trim();
  if (!body) return null;

  const named = names.get(nameKey(body));
  if (named) {
    // Several passages of one document: the best-ranked one (lowest number) is cited.
    if (named.documents.size === 1) return { numbers: [Math.min(...named.numbers)], unresolved: 0 };
    return { numbers: [], unresolved: 0, plainText: body };
  }
  if (FILE_NAME.test(body) && (bracket === 'square' || keyword)) return { numbers: [], unresolved: 1 };

  const list = body
    .replace(KEYWORD_ANYWHERE, ' ')
    .replace(/\s*[-–—~～]\s*/gu, '-')
    .trim();
  if (!NUMBER_LIST.test(list)) return null;
  const numbers = parseNumberList(list);
  if (bracket === 'round' && !keyword) return numbers.length === 1 && /^\d+$/u.test(list) ? { numbers, unresolved: 0, bare: true } : null;
  return { numbers, unresolved: 0 };
}

/** "1, 3-5" (or "1 3", "1 and 3") → [1, 3, 4, 5]. A reversed range counts from its smaller end. */
function parseNumberList(list: string): number[] {
  const numbers: number[] = [];
  for (const item of list.split(/\s*(?:[,;、&]|\band\b|和|及|与)\s*|\s+/iu).filter(Boolean)) {
    const [from, to = from] = item.split('-').map(Number) as [number, number?];
    const low = Math.min(from, to);
    const high = Math.min(Math.max(from, to), low + MAX_RANGE_LENGTH - 1);
    for (let n = low; n <= high; n++) numbers.push(n);
  }
  return numbers;
}

/** Words after which "(1)" names an equation, a step, an item… rather than a source. */
const NOT_A_SOURCE_BEFORE =
  /(?:equations?|eqs?\.?|formula|steps?|options?|items?|figures?|figs?\.?|tables?|cases?|rules?|sections?|articles?|clauses?|paragraphs?|points?|no\.?|numbers?|式|第|条|步骤)\s*$/iu;
/** "(1) Book the train, (2) …": an enumeration in the same line. */
const ENUMERATION = /(?:^|\s)[(（]\d{1,2}[)）]\s*[\p{L}\p{N}]/u;

/**
 * A bare "(n)" is a citation only right after a sentence or clause, for a number a source has, in a
 * line that does not enumerate with "(n)", not at a line start, and not after a word like "step".
 */
function isBareCitation(text: string, start: number, end: number, n: number, known: ReadonlySet<number>): boolean {
  if (!known.has(n)) return false;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end);
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  if (!/\S/u.test(before.replace(/^\s*(?:[-*•+]|\d+[.)])\s/u, ''))) return false;
  // "f(1)" and "x(1)" are calls and indices: a citation has a space, CJK text or punctuation before it.
  if (!/(?:\s|[\p{Script=Han}\p{P}])$/u.test(before)) return false;
  if (NOT_A_SOURCE_BEFORE.test(before)) return false;
  if (!/^(?:\s*$|[.,;:!?。，；：！？]|\s*[([【（]\d)/u.test(after)) return false;
  const line = text.slice(lineStart, lineEnd);
  return !ENUMERATION.test(line);
}
