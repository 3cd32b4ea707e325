import { IngestError } from './types.js';

/** A megabyte of characters: no real text goes that far without a word break or with only a few distinct words. */
const WINDOW = 1024 * 1024;
/** Fewer distinct words than this in a window is one word (or a handful) repeated. */
const MIN_DISTINCT_WORDS = 64;
/** Words: runs of anything but blanks and punctuation (a Chinese clause between commas is one). */
const WORD = /[^\s\p{P}]+/gu;

/**
 * Refuse text that would only fill the index with near-identical chunks: a megabyte without a space
 * or punctuation mark (a base64 blob, a run of one character), or a megabyte that repeats a few words.
 * Only sections longer than a megabyte are scanned, so ordinary files cost nothing.
 */
export function assertNotDegenerate(text: string): void {
  if (text.length <= WINDOW) return;
  let windowEnd = WINDOW;
  let distinct = new Set<string>();
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    if (word.length > WINDOW)
      throw new IngestError('failed', `degenerate text: over ${megabytes(word.length)} without a space or punctuation`);
    if (match.index >= windowEnd) {
      if (distinct.size < MIN_DISTINCT_WORDS) throw repeated(distinct.size);
      windowEnd = match.index + WINDOW;
      distinct = new Set();
    }
    if (distinct.size < MIN_DISTINCT_WORDS) distinct.add(word);
  }
  // The last, partial window counts only if it is a whole megabyte long.
  if (text.length >= windowEnd && distinct.size < MIN_DISTINCT_WORDS) throw repeated(distinct.size);
}

function repeated(words: number): IngestError {
  return new IngestError('failed', `degenerate text: a megabyte of the same ${words === 1 ? 'word' : `${words} words`} repeated`);
}

function megabytes(chars: number): string {
  return `${Math.floor(chars / WINDOW)} MB`;
}
