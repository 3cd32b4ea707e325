/**
 * How much of a generated question is copied from its passage. A question that reuses the passage's words
 * measures keyword search on an easy case (it finds its own words), not retrieval on what colleagues ask;
 * such questions are rejected (see acceptQuestion).
 */
import { indexedForm } from '../../store/term-proximity.js';
import { keywordTerms, keywordWords } from '../../text/tokens.js';

/** More than this share of the question's terms found in the passage: copied, not asked. */
export const MAX_SHARED_TERMS = 0.75;
/** This many consecutive words of the passage in the question: copied. */
export const MAX_COPIED_WORDS = 6;
/** More words than this (CJK characters count as words): not a question a colleague types, but a paragraph. */
export const MAX_QUESTION_WORDS = 30;

/** Why a question was rejected, in the counts `eval --generate` prints (`198 copied, 13 too long`). */
export type RejectionKind = 'copied' | 'too long' | 'no question';

export interface Rejection {
  kind: RejectionKind;
  detail: string;
}

const terms = (text: string) => new Set(keywordTerms(text).map(indexedForm));

/** The share of the question's distinct terms (stemmed, stop words left out) that the passage contains. */
export function sharedTermShare(question: string, passage: string): number {
  const q = terms(question);
  if (q.size === 0) return 1;
  const p = terms(passage);
  let shared = 0;
  for (const t of q) if (p.has(t)) shared++;
  return shared / q.size;
}

/** The longest run of consecutive question words (stop words left out) that also appears consecutively in the passage. */
export function longestCopiedRun(question: string, passage: string): number {
  const q = keywordWords(question).map(indexedForm);
  const p = keywordWords(passage).map(indexedForm);
  const grams = (words: string[], n: number) =>
    new Set(words.slice(0, words.length - n + 1).map((_, i) => words.slice(i, i + n).join(' ')));
  let best = 0;
  for (let n = 1; n <= q.length; n++) {
    const inPassage = grams(p, n);
    if (![...grams(q, n)].some((g) => inPassage.has(g))) break;
    best = n;
  }
  return best;
}

/** Why a generated question is not kept, or undefined when it is. */
export function rejectionOf(question: string, passage: string): Rejection | undefined {
  if (!/[?？]\s*$/u.test(question)) return { kind: 'no question', detail: 'not a question' };
  const share = sharedTermShare(question, passage);
  if (share > MAX_SHARED_TERMS) return { kind: 'copied', detail: `shares ${Math.round(share * 100)} % of its terms with the passage` };
  const run = longestCopiedRun(question, passage);
  if (run >= MAX_COPIED_WORDS) return { kind: 'copied', detail: `copies ${run} consecutive words of the passage` };
  const words = keywordWords(question).length;
  if (words > MAX_QUESTION_WORDS) return { kind: 'too long', detail: `${words} words` };
  return undefined;
}

/** The rejection's detail alone (tests and logs). */
export function rejectionReason(question: string, passage: string): string | undefined {
  return rejectionOf(question, passage)?.detail;
}
