/**
 * Citation markers in model output: parsed leniently (the model is untrusted and writes [1, 3],
 * [Source 2], 【1†source】, [^1]… — see citation-markers.ts), checked against the sources the prompt numbered, renumbered in order of first use
 * and rewritten in one canonical form, so every [n] in an answer has a citation with that n.
 */
import type { ChunkMetadata } from '../store/chunk.js';
import { findCitationMarkers, type CitationMarker } from './citation-markers.js';
import { removeSourceList } from './source-list.js';
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
  /**
   * How many citations were removed because they match no source: each such number in each marker
   * (a range counts each of its numbers) and each file name no source has. The answer's droppedCitations.
   */
  droppedMarkers: number;
}

/** Location fields of a chunk; values may come back from a store as strings. */
export type LocationFields = {
  [K in 'page' | 'slide' | 'sheet' | 'section' | 'author' | 'sentAt' | 'source']?: ChunkMetadata[K] | string | null;
};

/**
 * Where in its file a passage is, for humans: "p. 3", "slide 4", "sheet Budget", "Design > Limits",
 * "ana · 2026-11-30" for a message, or "" when nothing is known. One field only, in that order of precedence: loaders set one of them,
 * and a short label reads better in a chat message than "p. 3 · Design > Limits".
 */
export function formatLocation(metadata: LocationFields): string {
  // A message: who said it and when ("ana · 2026-11-30"); a day's document already has the date in its name ("#general · 2026-11-30").
  if (typeof metadata.author === 'string' && metadata.author.trim()) {
    const day = typeof metadata.sentAt === 'string' ? metadata.sentAt.slice(0, 10) : '';
    const named = day !== '' && typeof metadata.source === 'string' && metadata.source.includes(` · ${day}`);
    return [metadata.author.trim(), named ? '' : day].filter(Boolean).join(' · ');
  }
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

/** Adjacent markers ("[1][2]", "[1] [3]") form one cluster, rewritten together and deduplicated. */
type MarkerCluster = CitationMarker;

/**
 * Checks and renumbers the citation markers of `text` against `sources`.
 *
 * - A trailing source list the model wrote ("Sources:", "References:", "参考资料：") is removed first.
 * - Markers in every form real models write (see citation-markers.ts): [n], [n, m], [n-m] (at most
 *   20 numbers), 【n】, [Source n], (Source n), [^n], [[n]], [n](url), [n, p. 3], a file name, a bare
 *   (n) where unambiguous; also right after CJK characters. Bracketed numbers in code are not markers.
 * - A number that matches no source's `n`, or a file name no source has, is dropped and counted; a
 *   marker left with nothing is removed with the space before it, so no double space remains.
 * - Sources are renumbered in order of first use; each cluster of markers is rewritten as
 *   [a][b] (ascending, each source once), which renders well in Slack and Discord.
 */
export function verifyCitations(text: string, sources: readonly CitableSource[]): VerifiedCitations {
  const byNumber = new Map(sources.map((source) => [source.n, source]));
  const body = removeSourceList(
    text,
    sources.map((s) => s.source),
  );
  const clusters = clustersOf(findCitationMarkers(body, sources), body);

  const newNumber = new Map<number, number>();
  const dropped: number[] = [];
  let droppedMarkers = 0;
  for (const cluster of clusters) {
    droppedMarkers += cluster.unresolved;
    for (const number of cluster.numbers) {
      if (byNumber.has(number)) {
        if (!newNumber.has(number)) newNumber.set(number, newNumber.size + 1);
        continue;
      }
      droppedMarkers++;
      if (!dropped.includes(number)) dropped.push(number);
    }
  }

  let rewritten = '';
  let cursor = 0;
  for (const cluster of clusters) {
    rewritten += body.slice(cursor, cluster.start);
    const numbers = [...new Set(cluster.numbers.flatMap((n) => newNumber.get(n) ?? []))].sort((a, b) => a - b);
    if (numbers.length > 0) {
      rewritten += numbers.map((n) => `[${n}]`).join('');
      cursor = cluster.end;
    } else if (cluster.plainText) {
      rewritten += cluster.plainText;
      cursor = cluster.end;
    } else {
      ({ before: rewritten, after: cursor } = closeGap(rewritten, body, cluster.end));
    }
  }
  rewritten += body.slice(cursor);

  const cited = [...newNumber].map(([old, n]) => ({ ...byNumber.get(old)!, n }));
  const uncited = sources.filter((source) => !newNumber.has(source.n)).map((source, i) => ({ ...source, n: cited.length + i + 1 }));
  return { text: rewritten, cited, uncited, dropped, droppedMarkers };
}

function clustersOf(markers: CitationMarker[], text: string): MarkerCluster[] {
  const clusters: MarkerCluster[] = [];
  for (const marker of markers) {
    const previous = clusters.at(-1);
    if (previous && /^[ \t]*$/u.test(text.slice(previous.end, marker.start))) {
      previous.end = marker.end;
      previous.numbers.push(...marker.numbers);
      previous.unresolved += marker.unresolved;
      previous.plainText = [previous.plainText, marker.plainText].filter(Boolean).join(', ') || undefined;
    } else {
      clusters.push({ ...marker, numbers: [...marker.numbers] });
    }
  }
  return clusters;
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
