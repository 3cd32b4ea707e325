/**
 * What of a streamed answer may be shown before it is complete: never reasoning, never a half-written
 * marker ("[Sour", "【1†so", "(Source 2"), tag, mention or link, never the start of a source list.
 * The cut text is shown once it completes (or in the final answer).
 */
import { stripReasoning } from './reasoning.js';
import { mayStartSourceList } from './source-list.js';

/** A marker's body is never longer than this; a longer parenthesis is prose, shown as it streams. */
const MAX_MARKER_CHARS = 170;
const OPENERS: Record<string, string> = { '[': ']', '［': '］', '【': '】', '<': '>', '(': ')', '（': '）' };
const CLOSERS = new Set(Object.values(OPENERS));

/** The streamed model output so far, cut to what is safe to pass on to verifyCitations and show. */
export function visiblePrefix(raw: string, options: { mayStartInReasoning?: boolean } = {}): string {
  return stableRawPrefix(stripReasoning(raw, { partial: true, ...options }));
}

/**
 * `raw` cut before the first bracket still open on its last line (a marker, mention or link does not
 * span lines), before a bracket group at its very end (it may become a link), before a last word with
 * "@" (a mention being written), and before a last line that may become a source-list heading.
 */
export function stableRawPrefix(raw: string): string {
  const lineStart = raw.lastIndexOf('\n') + 1;
  const open: { char: string; at: number }[] = [];
  for (let i = lineStart; i < raw.length; i++) {
    const char = raw[i]!;
    if (OPENERS[char]) open.push({ char, at: i });
    else if (CLOSERS.has(char)) {
      const match = open.findLastIndex((o) => OPENERS[o.char] === char);
      if (match >= 0) open.length = match;
    }
  }
  const cutAt = open.find((o) => !'(（'.includes(o.char) || raw.length - o.at <= MAX_MARKER_CHARS)?.at;
  let text = cutAt === undefined ? raw : raw.slice(0, cutAt);
  // "[text]" at the end may still become "[text](url)", a link whose brackets must not show: wait for what follows.
  if (text.endsWith(']')) text = text.slice(0, Math.max(text.lastIndexOf('[', text.length - 2), lineStart));
  if (text.endsWith('[')) text = text.slice(0, -1);
  text = text.replace(/\S*[@＠]\S*$/u, '');
  const lastLine = text.slice(text.lastIndexOf('\n') + 1);
  return mayStartSourceList(lastLine) ? text.slice(0, text.length - lastLine.length) : text;
}
