/**
 * What every keyword index does after BM25 picked its candidates, so SQLite's FTS5 index and
 * PostgreSQL's give the same ranking: the term-proximity bonus on the best candidates, the coverage
 * of the question, and (on large indexes) leaving out very common query terms.
 */
import { keywordTerms } from '../text/tokens.js';
import type { ChunkMetadata } from './chunk.js';
import type { KeywordHit } from './chunk-store.js';
import { adjacentPairs, bm25Idf, indexedForm, proximityBonus, smoothIdf, termStream } from './term-proximity.js';

/** BM25's best this many candidates are rescored with the proximity bonus (at least k). */
export const RESCORE_DEPTH = 40;
/** Indexes smaller than this are searched with every query term. */
export const PRUNE_FROM_CHUNKS = 20_000;
/** On larger ones, terms in more than this share of all chunks are dropped (if a rarer one remains). */
const PRUNE_FRACTION = 0.05;
/** Chunks whose term pairs are kept between searches (tokenizing Chinese costs ~0.3 ms a chunk). */
const PAIR_CACHE_SIZE = 2048;

/** What the keyword index holds for a chunk: its file name, section and sheet, then its text. */
export function indexedText(metadata: Pick<ChunkMetadata, 'source' | 'section' | 'sheet'>, text: string): string {
  return [metadata.source, metadata.section ?? '', metadata.sheet ?? '', text].join('\n');
}

/** A query's distinct keyword terms (as typed, before stemming). */
export function queryTerms(query: string): string[] {
  return [...new Set(keywordTerms(query))];
}

/**
 * Very common terms make a query on a large index slow while adding almost nothing to the ranking
 * (their IDF is near zero): on indexes of `pruneFrom` chunks or more, terms found in more than
 * PRUNE_FRACTION of all chunks are left out, as long as a rarer term remains.
 */
export function selectiveTerms(terms: string[], total: number, df: (term: string) => number, pruneFrom = PRUNE_FROM_CHUNKS): string[] {
  if (total < pruneFrom || terms.length < 2) return terms;
  const withDf = terms.map((term) => ({ term, df: df(term) }));
  const kept = withDf.filter((t) => t.df <= total * PRUNE_FRACTION).map((t) => t.term);
  return kept.length ? kept : [withDf.reduce((a, b) => (b.df < a.df ? b : a)).term];
}

/** A BM25 candidate, with what rescoring needs to tokenize it. */
export interface KeywordCandidate {
  id: string;
  score: number;
  text: string;
  /** The chunk's metadata as stored (JSON). */
  metadata: string;
}

/** Number of rows holding a term (indexed form), and all rows: the IDFs come from these. */
export interface TermCounts {
  total: number;
  df(indexedTerm: string): number;
}

/** Rescoring and coverage over one index; keeps the tokenized candidates it saw, since the same chunks come back often. */
export class KeywordRescorer {
  private readonly pairCache = new Map<string, { pairs: Set<string>; terms: Set<string> }>();

  /** BM25's candidates (best first) plus the proximity bonus, with their coverage: the top `k`. */
  rescore(candidates: KeywordCandidate[], query: string, terms: string[], counts: TermCounts, k: number): KeywordHit[] {
    const queryPairs = adjacentPairs(termStream(query));
    const idf = memoIdf(counts, bm25Idf);
    const coverageOf = this.coverageScorer(terms, counts);
    return candidates
      .map((c) => {
        const indexed = this.chunkTerms(c.id, c.text, c.metadata);
        return { id: c.id, score: c.score + proximityBonus(queryPairs, indexed.pairs, idf), coverage: coverageOf(indexed.terms) };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  /** Coverage of `terms` (the query's, after pruning) by each chunk. */
  coverage(chunks: { id: string; text: string; metadata: string }[], terms: string[], counts: TermCounts): number[] {
    const coverageOf = this.coverageScorer(terms, counts);
    return chunks.map((c) => coverageOf(this.chunkTerms(c.id, c.text, c.metadata).terms));
  }

  /** The IDF-weighted share of `terms` found in a chunk's indexed terms. */
  private coverageScorer(terms: string[], counts: TermCounts): (chunkTerms: Set<string>) => number {
    const coverageIdf = memoIdf(counts, smoothIdf);
    const forms = [...new Set(terms.map(indexedForm))];
    const weight = forms.reduce((sum, t) => sum + coverageIdf(t), 0);
    return (chunkTerms) => {
      if (weight <= 0) return 0;
      const covered = forms.reduce((sum, t) => sum + (chunkTerms.has(t) ? coverageIdf(t) : 0), 0);
      return Math.min(1, covered / weight);
    };
  }

  /** A chunk's terms and adjacent term pairs, tokenized as it was indexed. */
  private chunkTerms(id: string, text: string, metadata: string): { pairs: Set<string>; terms: Set<string> } {
    const cached = this.pairCache.get(id);
    if (cached) return cached;
    const indexed = indexedText(JSON.parse(metadata) as ChunkMetadata, text);
    const entry = { pairs: adjacentPairs(termStream(indexed)), terms: new Set(keywordTerms(indexed).map(indexedForm)) };
    if (this.pairCache.size >= PAIR_CACHE_SIZE) this.pairCache.delete(this.pairCache.keys().next().value!);
    this.pairCache.set(id, entry);
    return entry;
  }
}

function memoIdf(counts: TermCounts, formula: (totalRows: number, rowsWithTerm: number) => number): (term: string) => number {
  const memo = new Map<string, number>();
  return (term) => {
    let idf = memo.get(term);
    if (idf === undefined) memo.set(term, (idf = formula(counts.total, counts.df(term))));
    return idf;
  };
}
