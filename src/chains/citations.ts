/**
 * Citation markers in model output: parsed leniently (the model is untrusted and writes [1, 3],
 * [2-4], 【1】…), checked against the sources the prompt numbered, renumbered in order of first use
 * and rewritten in one canonical form, so every [n] in an answer has a citation with that n.
 */
import type { ChunkMetadata } from '../store/chunk.js';
import { findCodeRanges, insideAny } from './sanitize.js';
import type { Citation } from './types.js';

/**
 * A retrieved passage as the prompt numbered it: `n` is its 1-based number in the prompt.
 * Same shape as Citation; after verifyCitations, `n` is the number in the answer.
 */
export type CitableSource = Citation;

export interface VerifiedCitations {
  /** The text with every marker rewritten as [a][b], numbers that match no source removed. */
  text: string;
  /** Sources the text cites, in order of first use; `n` is the new number (1, 2, …). */
  cited: CitableSource[];
  /** Sources retrieved but not cited ("also relevant"), in their given order, numbered after the cited ones. */
  uncited: CitableSource[];
  /** Marker numbers that matched no source, as written, each once, in order of appearance. */
  dropped: number[];
}

/** Location fields of a chunk; values may come back from a store as strings. */
export type LocationFields = { [K in 'page' | 'slide' | 'sheet' | 'section']?: ChunkMetadata[K] | string | null };

/**
 * Where in its file a passage is, for humans: "p. 3", "slide 4", "sheet Budget", "Design > Limits",
 * or "" when nothing is known. One field only, in that order of precedence: loaders set one of them,
 * and a short label reads better in a chat message than "p. 3 · Design > Limits".
 */
export function formatLocation(metadata: LocationFields): string {
  const page = positiveInteger(metadata.page);
  if (page !== undefined) return `p. ${page}`;
  const slide = positiveInteger(metadata.slide);
  if (slide !== undefined) return `slide ${slide}`;
  const sheet = typeof metadata.sheet === 'string' ? metadata.sheet.trim() : '';
  if (sheet) return `sheet ${sheet}`;
  return typeof metadata.section === 'string' ? metadata.section.trim() : '';
}

function positiveInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/u.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** A range like [1-30] is the model being sloppy; it never cites more than this many at once. */
const MAX_RANGE_LENGTH = 20;

const NUMBER = '[0-9０-９]{1,4}';
const DASH = '[-–—~～－]';
const ITEM = `${NUMBER}(?:\\s*${DASH}\\s*${NUMBER})?`;
const SEPARATOR = '[,，、;；]';
/**
 * One bracketed group of numbers and ranges: [1], [1, 3], [1-3], ［2］, 【2，3】.
 * Not followed by "(": "[1](https://…)" is a markdown link, left to sanitize.
 */
const MARKER_GROUP = new RegExp(`([\\[［【])\\s*(${ITEM}(?:\\s*${SEPARATOR}\\s*${ITEM})*)\\s*([\\]］】])(?!\\()`, 'gu');
const CLOSING_BRACKET: Record<string, string> = { '[': ']', '［': '］', '【': '】' };

/** Adjacent groups ("[1][2]", "[1] [3]") form one cluster, rewritten together and deduplicated. */
interface MarkerCluster {
  start: number;
  end: number;
  /** Prompt numbers as written, ranges expanded, in order. */
  numbers: number[];
}

/**
 * Checks and renumbers the citation markers of `text` against `sources`.
 *
 * - Markers: [n], [n, m], [n][m], [n-m] (at most 20 numbers), full-width ［n］ and 【n】, also
 *   right after CJK characters. Bracketed numbers inside code spans and blocks are not markers.
 * - A number that matches no source's `n` is dropped; a marker left with no number is removed
 *   with the space before it, so no double space or space before punctuation remains.
 * - Sources are renumbered in order of first use; each cluster of markers is rewritten as
 *   [a][b] (ascending, each source once), which renders well in Slack and Discord.
 */
export function verifyCitations(text: string, sources: readonly CitableSource[]): VerifiedCitations {
  const byNumber = new Map(sources.map((source) => [source.n, source]));
  const clusters = findMarkerClusters(text);

  const newNumber = new Map<number, number>();
  const dropped: number[] = [];
  for (const number of clusters.flatMap((cluster) => cluster.numbers)) {
    if (byNumber.has(number)) {
      if (!newNumber.has(number)) newNumber.set(number, newNumber.size + 1);
    } else if (!dropped.includes(number)) {
      dropped.push(number);
    }
  }

  let rewritten = '';
  let cursor = 0;
  for (const cluster of clusters) {
    rewritten += text.slice(cursor, cluster.start);
    const numbers = [...new Set(cluster.numbers.flatMap((n) => newNumber.get(n) ?? []))].sort((a, b) => a - b);
    if (numbers.length > 0) {
      rewritten += numbers.map((n) => `[${n}]`).join('');
      cursor = cluster.end;
    } else {
      ({ before: rewritten, after: cursor } = closeGap(rewritten, text, cluster.end));
    }
  }
  rewritten += text.slice(cursor);

  const cited = [...newNumber].map(([old, n]) => ({ ...byNumber.get(old)!, n }));
  const uncited = sources.filter((source) => !newNumber.has(source.n)).map((source, i) => ({ ...source, n: cited.length + i + 1 }));
  return { text: rewritten, cited, uncited, dropped };
}

function findMarkerClusters(text: string): MarkerCluster[] {
  const code = findCodeRanges(text);
  const clusters: MarkerCluster[] = [];
  for (const match of text.matchAll(MARKER_GROUP)) {
    const [whole, open, list, close] = match as unknown as [string, string, string, string];
    if (CLOSING_BRACKET[open] !== close || insideAny(code, match.index)) continue;
    const marker = { start: match.index, end: match.index + whole.length, numbers: parseNumberList(list) };
    const previous = clusters.at(-1);
    if (previous && /^[ \t]*$/u.test(text.slice(previous.end, marker.start))) {
      previous.end = marker.end;
      previous.numbers.push(...marker.numbers);
    } else {
      clusters.push(marker);
    }
  }
  return clusters;
}

/** "1, 3-5" → [1, 3, 4, 5]. A reversed range counts from its smaller end. */
function parseNumberList(list: string): number[] {
  const numbers: number[] = [];
  for (const item of list.split(new RegExp(SEPARATOR, 'u'))) {
    const [from, to = from] = item.split(new RegExp(DASH, 'u')).map(toNumber) as [number, number?];
    const low = Math.min(from, to);
    const high = Math.min(Math.max(from, to), low + MAX_RANGE_LENGTH - 1);
    for (let n = low; n <= high; n++) numbers.push(n);
  }
  return numbers;
}

/** Full-width digits (０-９) count like ASCII ones. */
function toNumber(digits: string): number {
  return Number(digits.trim().normalize('NFKC'));
}

/** Punctuation a removed marker's leading space must not be left in front of. */
const CLOSING_PUNCTUATION = /^[.,;:!?)\]}。，、；：！？）」』”’…]/u;

/**
 * Removes what surrounds a removed marker at text[end]: "see [9]." → "see.", "a [9] b" → "a b",
 * "([9])" → "", and at the start of a line the space after it.
 */
function closeGap(before: string, text: string, end: number): { before: string; after: number } {
  let after = end;
  if (/[(（]$/u.test(before) && /^[)）]/u.test(text.slice(after))) {
    before = before.slice(0, -1);
    after++;
  }
  const trailingSpace = /[ \t]+$/u.exec(before);
  const rest = text.slice(after);
  const lineSoFar = before.slice(before.lastIndexOf('\n') + 1);
  if (lineSoFar.trim() === '') {
    after += /^[ \t]*/u.exec(rest)![0].length;
  } else if (trailingSpace && (rest === '' || /^\s/u.test(rest) || CLOSING_PUNCTUATION.test(rest))) {
    before = before.slice(0, trailingSpace.index);
  }
  return { before, after };
}
