/**
 * Term proximity for keyword search. BM25 scores each query term on its own, so a passage that has
 * "King Charles" somewhere and "III" somewhere else ties with one that says "King Charles III".
 * Questions are usually phrased with the words of the passage that answers them, so query terms that
 * stand next to each other in the question and also in the chunk are strong evidence. The bonus for
 * such a pair is the IDF of its rarer term (a pair of common words adds little), in the same units
 * as FTS5's bm25(), so the two add up.
 *
 * Adjacency is judged on the keyword term streams (stopwords already removed, English stemmed as
 * the index stems it), so "the Duchy of Normandy" and "Normandy's duchy" both count.
 */
import { porterStem } from '../text/porter-stemmer.js';
import { keywordWords } from '../text/tokens.js';

/**
 * Terms as FTS5's `porter unicode61 remove_diacritics 2` tokenizer stores them: accents removed,
 * English stemmed. Lets us look terms up in the index's vocabulary and compare them with a query's.
 */
export function indexedForm(term: string): string {
  let form = FORMS.get(term);
  if (form === undefined) {
    form = porterStem(term.normalize('NFD').replace(/\p{M}/gu, ''));
    // Words repeat across chunks (Zipf): a bounded memo saves most of the stemming on a big index.
    if (FORMS.size >= FORMS_MAX) FORMS.clear();
    FORMS.set(term, form);
  }
  return form;
}

const FORMS = new Map<string, string>();
const FORMS_MAX = 100_000;

/** The stemmed word stream of a text, in order (CJK words without their bigram expansions). */
export function termStream(text: string): string[] {
  return keywordWords(text).map(indexedForm);
}

/** Distinct adjacent pairs of a term stream, as "a b" (same order as in the text). */
export function adjacentPairs(stream: readonly string[]): Set<string> {
  const pairs = new Set<string>();
  for (let i = 0; i + 1 < stream.length; i++) if (stream[i] !== stream[i + 1]) pairs.add(`${stream[i]} ${stream[i + 1]}`);
  return pairs;
}

/** FTS5's bm25 IDF: log((N − n + 0.5) / (n + 0.5)), floored at a tiny positive value as FTS5 does. */
/**
 * Lucene's always-positive IDF. For weighing how much of a question a chunk covers: FTS5's IDF
 * (bm25Idf) floors every term found in over half the chunks at ~0, which in a small scope makes a
 * single word absent from the index outweigh all the words that are there.
 */
export function smoothIdf(totalRows: number, rowsWithTerm: number): number {
  return Math.log(1 + (totalRows - rowsWithTerm + 0.5) / (rowsWithTerm + 0.5));
}

export function bm25Idf(totalRows: number, rowsWithTerm: number): number {
  const idf = Math.log((totalRows - rowsWithTerm + 0.5) / (rowsWithTerm + 0.5));
  return idf > 0 ? idf : 1e-6;
}

/**
 * Sum, over the query's adjacent pairs (`adjacentPairs` of its term stream, computed once per
 * search) that are also adjacent in the chunk, of the rarer term's IDF.
 */
export function proximityBonus(queryPairs: ReadonlySet<string>, chunkPairs: ReadonlySet<string>, idf: (term: string) => number): number {
  let bonus = 0;
  for (const pair of queryPairs) {
    if (!chunkPairs.has(pair)) continue;
    const [a, b] = pair.split(' ') as [string, string];
    bonus += Math.min(idf(a), idf(b));
  }
  return bonus;
}
