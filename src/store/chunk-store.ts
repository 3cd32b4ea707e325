import { createHash } from 'node:crypto';
import { keywordTerms } from '../text/tokens.js';
import type { StoredChunk } from './chunk.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import {
  indexedText,
  KeywordRescorer,
  PRUNE_FROM_CHUNKS,
  queryTerms,
  RESCORE_DEPTH,
  selectiveTerms,
  type TermCounts,
} from './keyword-scoring.js';

export interface KeywordHit {
  id: string;
  /** BM25 relevance plus the term-proximity bonus (same units): higher is better. */
  score: number;
  /**
   * The IDF-weighted share of the question's terms the chunk contains (0..1): unlike BM25 it does not
   * grow with the index, so a fixed bar can tell "shares the question's rare words" from "shares one common word".
   */
  coverage: number;
}

/**
 * BM25 over chunk texts, on SQLite FTS5, then a term-proximity bonus on the best candidates (see
 * term-proximity.ts and keyword-scoring.ts). Terms are produced by our CJK-aware tokenizer and joined
 * by spaces, so FTS5 only splits on those spaces (and stems English with porter).
 * The scope is an indexed token in its own column: a search intersects the question's terms with
 * the scope's posting list instead of filtering afterwards, so other scopes cost nothing.
 */
/** How long counts used for planning a search may be reused. */
const STATS_TTL_MS = 30_000;

export { indexedText };

const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;

/**
 * The table of record for chunks (their text and metadata, in SQLite) and, over it, their BM25
 * keyword index. Chroma's vectors follow these rows; the ledger says which documents they belong to.
 */
export class ChunkStore {
  private readonly dfCache = new Map<string, { df: number; at: number }>();
  private readonly scopeCountCache = new Map<string, { n: number; at: number }>();
  private totalCache?: { n: number; at: number };
  private readonly rescorer = new KeywordRescorer();
  private vocabLookup?: Statement;

  constructor(
    private readonly db: Db,
    /** Index size from which very common query terms are pruned (tests lower it). */
    private readonly pruneFromChunks = PRUNE_FROM_CHUNKS,
  ) {}

  /** Counts cached for planning are stale once this connection writes (another process's writes show within STATS_TTL_MS). */
  private forgetCounts(): void {
    this.totalCache = undefined;
    this.scopeCountCache.clear();
    this.dfCache.clear();
  }

  static scopeKey(scope: string): string {
    return 's' + createHash('sha256').update(scope).digest('hex').slice(0, 24);
  }

  /** Insert chunk rows and their terms. Call inside the caller's transaction. */
  insert(chunks: StoredChunk[]): void {
    this.forgetCounts();
    const insertChunk = this.db.prepare('INSERT INTO chunks (id, scope, doc_id, chunk_index, text, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    const insertTerms = this.db.prepare('INSERT INTO chunk_terms (rowid, terms, scope_key) VALUES (?, ?, ?)');
    for (const chunk of chunks) {
      const m = chunk.metadata;
      const { lastInsertRowid } = insertChunk.run(chunk.id, m.scope, m.docId, m.chunkIndex, chunk.text, JSON.stringify(m));
      const terms = keywordTerms(indexedText(m, chunk.text));
      insertTerms.run(lastInsertRowid, terms.join(' '), ChunkStore.scopeKey(m.scope));
    }
  }

  /** Remove chunks (rows and terms) by id. Call inside the caller's transaction. */
  delete(ids: string[]): void {
    this.forgetCounts();
    const find = this.db.prepare('SELECT rowid FROM chunks WHERE id = ?');
    const deleteTerms = this.db.prepare('DELETE FROM chunk_terms WHERE rowid = ?');
    const deleteChunk = this.db.prepare('DELETE FROM chunks WHERE rowid = ?');
    for (const id of ids) {
      const row = find.get(id) as { rowid: number } | undefined;
      if (!row) continue;
      deleteTerms.run(row.rowid);
      deleteChunk.run(row.rowid);
    }
  }

  idsOfDocument(scope: string, docId: string): string[] {
    const rows = this.db.prepare('SELECT id FROM chunks WHERE scope = ? AND doc_id = ? ORDER BY chunk_index').all(scope, docId);
    return (rows as { id: string }[]).map((r) => r.id);
  }

  /**
   * Top `k` chunks for the query within the given scopes. There is deliberately no unscoped search.
   * FTS5's bm25 picks the candidates; the best RESCORE_DEPTH are re-ranked with the proximity bonus.
   */
  search(query: string, scopes: string[], k: number): KeywordHit[] {
    if (scopes.length === 0) throw new Error('keyword search needs at least one scope');
    const terms = this.selectiveTerms(queryTerms(query));
    if (terms.length === 0) return [];
    const match = `scope_key : (${scopes.map((s) => quote(ChunkStore.scopeKey(s))).join(' OR ')}) AND terms : (${terms.map(quote).join(' OR ')})`;
    // bm25() is lower-is-better and weights columns: the scope column must not affect ranking.
    const candidates = this.db
      .prepare(
        `SELECT c.id AS id, -bm25(chunk_terms, 1.0, 0.0) AS score, c.text AS text, c.metadata AS metadata
         FROM chunk_terms JOIN chunks c ON c.rowid = chunk_terms.rowid
         WHERE chunk_terms MATCH ? ORDER BY bm25(chunk_terms, 1.0, 0.0) LIMIT ?`,
      )
      .all(match, Math.max(k, RESCORE_DEPTH)) as (KeywordHit & { text: string; metadata: string })[];
    return this.rescorer.rescore(candidates, query, terms, this.termCounts(), k);
  }

  /**
   * The coverage (see KeywordHit) of the query by each of these chunks, whichever search found them: a
   * passage that holds the question's words covers it even when BM25's top k, full of equally good
   * matches, happened to list other copies of it. Same terms and weights as `search`.
   */
  coverage(query: string, chunks: StoredChunk[]): number[] {
    const terms = this.selectiveTerms(queryTerms(query));
    return this.rescorer.coverage(
      chunks.map((c) => ({ id: c.id, text: c.text, metadata: JSON.stringify(c.metadata) })),
      terms,
      this.termCounts(),
    );
  }

  /** Rows holding an indexed-form term, from the index's vocabulary (an fts5vocab table on this connection only). */
  private termCounts(): TermCounts {
    if (!this.vocabLookup) {
      this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_terms_vocab USING fts5vocab(main, 'chunk_terms', 'row')`);
      this.vocabLookup = this.db.prepare('SELECT doc FROM temp.chunk_terms_vocab WHERE term = ?');
    }
    const lookup = this.vocabLookup;
    return { total: this.countCached(), df: (term) => (lookup.get(term) as { doc: number } | undefined)?.doc ?? 0 };
  }

  private selectiveTerms(terms: string[]): string[] {
    return selectiveTerms(terms, this.countCached(), (term) => this.documentFrequency(term), this.pruneFromChunks);
  }

  private documentFrequency(term: string): number {
    const cached = this.dfCache.get(term);
    if (cached && cached.at > Date.now() - STATS_TTL_MS) return cached.df;
    const { n } = this.db.prepare('SELECT count(*) AS n FROM chunk_terms WHERE chunk_terms MATCH ?').get(`terms : ${quote(term)}`) as {
      n: number;
    };
    if (this.dfCache.size > 10_000) this.dfCache.clear();
    this.dfCache.set(term, { df: n, at: Date.now() });
    return n;
  }

  /** All chunks. Counts change slowly relative to questions: a few seconds old is fine for planning a search. */
  countCached(): number {
    if (!this.totalCache || this.totalCache.at < Date.now() - STATS_TTL_MS) this.totalCache = { n: this.count(), at: Date.now() };
    return this.totalCache.n;
  }

  /** Chunks in these scopes (cached briefly): lets dense search choose its strategy. */
  countInScopes(scopes: string[]): number {
    const key = [...scopes].sort().join('\n');
    const cached = this.scopeCountCache.get(key);
    if (cached && cached.at > Date.now() - STATS_TTL_MS) return cached.n;
    const { n } = this.db
      .prepare(`SELECT count(*) AS n FROM chunks WHERE scope IN (${scopes.map(() => '?').join(',')})`)
      .get(...scopes) as { n: number };
    if (this.scopeCountCache.size > 1000) this.scopeCountCache.clear();
    this.scopeCountCache.set(key, { n, at: Date.now() });
    return n;
  }

  get(ids: string[]): StoredChunk[] {
    const stmt = this.db.prepare('SELECT id, text, metadata FROM chunks WHERE id = ?');
    const found: StoredChunk[] = [];
    for (const id of ids) {
      const row = stmt.get(id) as { id: string; text: string; metadata: string } | undefined;
      if (row) found.push({ id: row.id, text: row.text, metadata: JSON.parse(row.metadata) });
    }
    return found;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
  }

  /** Every stored chunk, in pages, for re-embedding. */
  *all(pageSize = 500, scope?: string): Generator<StoredChunk[]> {
    const stmt = this.db.prepare(
      `SELECT rowid, id, text, metadata FROM chunks WHERE rowid > ?${scope === undefined ? '' : ' AND scope = ?'} ORDER BY rowid LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = (scope === undefined ? stmt.all(after, pageSize) : stmt.all(after, scope, pageSize)) as {
        rowid: number;
        id: string;
        text: string;
        metadata: string;
      }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.rowid;
      yield rows.map((r) => ({ id: r.id, text: r.text, metadata: JSON.parse(r.metadata) }));
    }
  }
}
