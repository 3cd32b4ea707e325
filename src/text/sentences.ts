/**
 * Rule-based sentence splitting for English and Chinese (and text mixing both).
 *
 * Intl.Segmenter('sentence') was measured first and not used: it splits after "Dr." and "Mr.",
 * does not end a sentence at "；", and hands an opening "（" that follows "。" to the previous
 * sentence. The rules below are small and predictable instead.
 */

/** A sentence as offsets into the text it came from, without surrounding whitespace. */
export interface SentenceSpan {
  start: number;
  end: number;
}

/** Full-width terminators end a sentence on their own: Chinese puts no space after them. */
const WIDE_TERMINATORS = new Set(['。', '｡', '！', '？', '；']);
const ASCII_TERMINATORS = new Set(['.', '!', '?']);
/** Closing quotes and brackets that belong to the sentence they follow: 他说：“好。” */
const CLOSERS = new Set(['"', "'", '”', '’', '」', '』', '）', '》', '〉', '】', '〕', '］', ')', ']', '}', '»']);

/** Abbreviations after which a period does not end the sentence. */
const TITLES = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'sr', 'jr', 'vs', 'cf', 'al', 'approx']);
/** Dotted letters: "e.g", "i.e", "U.S", "a.m". */
const DOTTED_LETTERS = /^(?:\p{L}\.)+\p{L}$/u;
/** Abbreviations that precede a number ("p. 3", "No. 5"); elsewhere they are ordinary words. */
const BEFORE_NUMBER = new Set(['p', 'pp', 'no', 'vol', 'fig', 'figs', 'sec', 'ch', 'art', 'eq']);

const CJK_CHAR = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
const WHITESPACE = /\s/u;
const LOWERCASE = /\p{Ll}/u;
const DIGIT = /\d/u;
const WORD_CHAR = /[\p{L}\p{N}.]/u;

/** Sentences of `text`, trimmed, empty ones left out. Joining them gives back the text modulo whitespace. */
export function splitSentences(text: string): string[] {
  return sentenceSpans(text).map((span) => text.slice(span.start, span.end));
}

/**
 * Where each sentence of `text` is. Boundaries: a newline; "。！？；" (plus any closing quotes);
 * ". ! ?" (plus closing quotes) followed by whitespace, a CJK character or the end of the text,
 * except a period after an abbreviation or an initial, or one followed by a lowercase word.
 * Offsets let a caller keep the original text between two kept sentences.
 */
export function sentenceSpans(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let start = 0;
  const cut = (end: number): void => {
    const span = trimSpan(text, start, end);
    if (span) spans.push(span);
    start = end;
  };

  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\n') {
      cut(i + 1);
    } else if (WIDE_TERMINATORS.has(char)) {
      const end = skipTerminatorTail(text, i + 1);
      cut(end);
      i = end - 1;
    } else if (ASCII_TERMINATORS.has(char)) {
      const end = skipTerminatorTail(text, i + 1);
      if (endsSentence(text, i, end)) {
        cut(end);
        i = end - 1;
      }
    }
  }
  cut(text.length);
  return spans;
}

/** Further terminators ("?!", "……。") and closing quotes stay with the sentence. */
function skipTerminatorTail(text: string, from: number): number {
  let end = from;
  while (end < text.length) {
    const char = text[end]!;
    if (!WIDE_TERMINATORS.has(char) && !ASCII_TERMINATORS.has(char) && !CLOSERS.has(char)) break;
    end++;
  }
  return end;
}

/** Whether the ASCII terminator at `at`, whose tail runs to `end`, closes a sentence. */
function endsSentence(text: string, at: number, end: number): boolean {
  if (end >= text.length) return true;
  const next = text[end]!;
  // "3.5", "EXP-4471.Next", "example.com": no space, no boundary. CJK needs no space.
  if (!WHITESPACE.test(next) && !CJK_CHAR.test(next)) return false;
  if (text[at] !== '.') return true;

  const following = nextVisibleChar(text, end);
  if (following !== undefined && LOWERCASE.test(following)) return false; // "e.g. a test", "approx. five"
  const word = wordBefore(text, at).toLowerCase();
  if (word.length === 1 && /\p{L}/u.test(word)) return false; // an initial: "J. Smith"
  if (TITLES.has(word) || DOTTED_LETTERS.test(word)) return false; // "Dr. Smith", "U.S. Army"
  if (BEFORE_NUMBER.has(word) && following !== undefined && DIGIT.test(following)) return false;
  return true;
}

/** The word (letters, digits, inner dots) ending just before `at`. */
function wordBefore(text: string, at: number): string {
  let start = at;
  while (start > 0 && WORD_CHAR.test(text[start - 1]!)) start--;
  return text.slice(start, at).replace(/^\.+/, '');
}

function nextVisibleChar(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\n') return undefined; // a newline is a boundary anyway
    if (!WHITESPACE.test(text[i]!)) return text[i];
  }
  return undefined;
}

function trimSpan(text: string, start: number, end: number): SentenceSpan | undefined {
  while (start < end && WHITESPACE.test(text[start]!)) start++;
  while (end > start && WHITESPACE.test(text[end - 1]!)) end--;
  return start < end ? { start, end } : undefined;
}
