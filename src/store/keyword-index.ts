import { createHash } from 'node:crypto';
import { keywordTerms } from '../text/tokens.js';
import type { StoredChunk } from './chunk.js';
import type { Db } from './database.js';

export interface KeywordHit {
  id: string;
  /** BM25 relevance: higher is better. */
  score: number;
}

/**
 * BM25 over chunk texts, on SQLite FTS5. Terms are produced by our CJK-aware tokenizer and joined
 * by spaces, so FTS5 only splits on those spaces (and stems English with porter).
 * The scope is an indexed token in its own column: a search intersects the question's terms with
 * the scope's posting list instead of filtering afterwards, so other scopes cost nothing.
 */
export class KeywordIndex {
  constructor(private readonly db: Db) {}

  static scopeKey(scope: string): string {
    return 's' + createHash('sha256').update(scope).digest('hex').slice(0, 24);
  }

  /** Insert chunk rows and their terms. Call inside the caller's transaction. */
  insert(chunks: StoredChunk[]): void {
    const insertChunk = this.db.prepare(
      'INSERT INTO chunks (id, scope, doc_id, chunk_index, text, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertTerms = this.db.prepare('INSERT INTO chunk_terms (rowid, terms, scope_key) VALUES (?, ?, ?)');
    for (const chunk of chunks) {
      const m = chunk.metadata;
      const { lastInsertRowid } = insertChunk.run(chunk.id, m.scope, m.docId, m.chunkIndex, chunk.text, JSON.stringify(m));
      const terms = keywordTerms([m.source, m.section ?? '', m.sheet ?? '', chunk.text].join('\n'));
      insertTerms.run(lastInsertRowid, terms.join(' '), KeywordIndex.scopeKey(m.scope));
    }
  }

  /** Remove chunks (rows and terms) by id. Call inside the caller's transaction. */
  delete(ids: string[]): void {
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

  /** Top `k` chunks for the query within the given scopes. There is deliberately no unscoped search. */
  search(query: string, scopes: string[], k: number): KeywordHit[] {
    if (scopes.length === 0) throw new Error('keyword search needs at least one scope');
    const terms = [...new Set(keywordTerms(query))];
    if (terms.length === 0) return [];
    const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
    const match = `scope_key : (${scopes.map((s) => quote(KeywordIndex.scopeKey(s))).join(' OR ')}) AND terms : (${terms.map(quote).join(' OR ')})`;
    // bm25() is lower-is-better and weights columns: the scope column must not affect ranking.
    const rows = this.db
      .prepare(
        `SELECT c.id AS id, -bm25(chunk_terms, 1.0, 0.0) AS score
         FROM chunk_terms JOIN chunks c ON c.rowid = chunk_terms.rowid
         WHERE chunk_terms MATCH ? ORDER BY bm25(chunk_terms, 1.0, 0.0) LIMIT ?`,
      )
      .all(match, k) as KeywordHit[];
    return rows;
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
  *all(pageSize = 500): Generator<StoredChunk[]> {
    const stmt = this.db.prepare('SELECT rowid, id, text, metadata FROM chunks WHERE rowid > ? ORDER BY rowid LIMIT ?');
    let after = 0;
    for (;;) {
      const rows = stmt.all(after, pageSize) as { rowid: number; id: string; text: string; metadata: string }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.rowid;
      yield rows.map((r) => ({ id: r.id, text: r.text, metadata: JSON.parse(r.metadata) }));
    }
  }
}
