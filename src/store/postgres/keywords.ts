import { keywordTerms } from '../../text/tokens.js';
import type { StoredChunk } from '../chunk.js';
import {
  indexedText,
  KeywordRescorer,
  queryTerms,
  RESCORE_DEPTH,
  selectiveTerms,
  type KeywordCandidate,
  type TermCounts,
} from '../keyword-scoring.js';
import type { KeywordHit, KeywordIndex } from '../ports.js';
import { bm25Idf, indexedForm, termStream } from '../term-proximity.js';
import type { PgDatabase, Queryable } from './database.js';

/** FTS5's bm25() constants. */
const K1 = 1.2;
const B = 0.75;
/** PostgreSQL refuses longer lexemes; such a "word" (a pasted blob) is left out of the index, still counted in the length. */
const MAX_LEXEME_BYTES = 2000;
/** Below this many postings in all, every candidate is scored at once; above, the rarest terms pick them first (see `search`). */
const SCORE_ALL_BELOW = 2_000;

/** A chunk's indexed terms (stemmed as FTS5's porter tokenizer does), counted: tf for BM25, dl its length. */
function chunkTermCounts(chunk: StoredChunk): { tf: Record<string, number>; dl: number } {
  const terms = keywordTerms(indexedText(chunk.metadata, chunk.text)).map(indexedForm);
  const tf: Record<string, number> = {};
  for (const t of terms) if (t && Buffer.byteLength(t) <= MAX_LEXEME_BYTES) tf[t] = (tf[t] ?? 0) + 1;
  // FTS5 counts the scope column's one token in a row's length; so do we, for the same BM25.
  return { tf, dl: terms.length + 1 };
}

/** A lexeme as tsquery input reads it: quoted, with quotes and backslashes escaped. */
const lexeme = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** How one transaction's chunk writes change the document frequencies and totals: applied once, at its end. */
export class CountChange {
  readonly df = new Map<string, number>();
  chunks = 0;
  length = 0;

  add(terms: Iterable<string>, length: number, sign: 1 | -1): void {
    for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + sign);
    this.chunks += sign;
    this.length += sign * length;
  }
}

/**
 * Apply a transaction's count change: its terms' rows locked in one sorted pass, then the totals'
 * row. Every writer takes its locks in this one order, so writers sharing terms queue, never deadlock.
 */
export async function applyCounts(client: Queryable, change: CountChange): Promise<void> {
  const { chunks, length } = change;
  const terms = [...change.df.entries()].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (terms.length)
    await client.query(
      `INSERT INTO keyword_terms (term, df) SELECT t, d FROM unnest($1::text[], $2::int[]) AS u(t, d) ORDER BY t COLLATE "C"
       ON CONFLICT (term) DO UPDATE SET df = keyword_terms.df + excluded.df`,
      [terms.map(([t]) => t), terms.map(([, d]) => d)],
    );
  if (chunks || length) await client.query('UPDATE keyword_stats SET chunks = chunks + $1, length = length + $2', [chunks, length]);
}

/** Insert chunk rows with their terms, counted into `change`. Inside the caller's transaction, which then applies the change. */
export async function insertChunks(client: Queryable, chunks: StoredChunk[], change: CountChange): Promise<void> {
  if (!chunks.length) return;
  const counted = chunks.map(chunkTermCounts);
  await client.query(
    `INSERT INTO chunks (id, scope, doc_id, chunk_index, text, metadata, tf, dl, terms)
     SELECT id, scope, doc_id, idx, text, metadata, tf, dl, array_to_tsvector(ARRAY(SELECT jsonb_object_keys(tf)))
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::int[])
       AS u(id, scope, doc_id, idx, text, metadata, tf, dl)`,
    [
      chunks.map((c) => c.id),
      chunks.map((c) => c.metadata.scope),
      chunks.map((c) => c.metadata.docId),
      chunks.map((c) => c.metadata.chunkIndex),
      chunks.map((c) => c.text),
      chunks.map((c) => JSON.stringify(c.metadata)),
      counted.map((c) => JSON.stringify(c.tf)),
      counted.map((c) => c.dl),
    ],
  );
  for (const c of counted) change.add(Object.keys(c.tf), c.dl, 1);
}

/** Remove chunks by id, counted out in `change`. Inside the caller's transaction, which then applies the change. */
export async function deleteChunks(client: Queryable, ids: string[], change: CountChange): Promise<void> {
  if (!ids.length) return;
  const { rows } = await client.query<{ terms: string[]; dl: number }>(
    'DELETE FROM chunks WHERE id = ANY($1::text[]) RETURNING ARRAY(SELECT jsonb_object_keys(tf)) AS terms, dl',
    [ids],
  );
  for (const r of rows) change.add(r.terms, r.dl, -1);
}

/** Exact counts for these terms, read in one query. */
async function termCounts(db: PgDatabase, terms: string[]): Promise<TermCounts & { length: number }> {
  const rows = await db.rows<{ term: string | null; df: number | null; chunks: number; length: number }>(
    'SELECT k.term, k.df, s.chunks, s.length FROM keyword_stats s LEFT JOIN keyword_terms k ON k.term = ANY($1::text[])',
    [terms],
  );
  const df = new Map(rows.filter((r) => r.term !== null).map((r) => [r.term!, r.df!]));
  return { total: rows[0]?.chunks ?? 0, length: rows[0]?.length ?? 0, df: (t) => df.get(t) ?? 0 };
}

/**
 * BM25 on PostgreSQL with FTS5's formula and counts (never ts_rank): the GIN index finds the chunks
 * of the asked scopes holding a query term (`@@`); the score is computed in SQL from each chunk's
 * term counts and length and the exact document frequencies; the proximity bonus and coverage are
 * the SQLite index's own (keyword-scoring.ts). So both backends rank alike.
 */
export class PgKeywordIndex implements KeywordIndex {
  private readonly rescorer = new KeywordRescorer();

  constructor(
    private readonly db: PgDatabase,
    /** Postings below which every candidate is scored at once (tests lower it to exercise the pruned path). */
    private readonly scoreAllBelow = SCORE_ALL_BELOW,
  ) {}

  async search(query: string, scopes: string[], k: number): Promise<KeywordHit[]> {
    if (scopes.length === 0) throw new Error('keyword search needs at least one scope');
    const asked = queryTerms(query);
    if (asked.length === 0) return [];
    const forms = new Set([...asked.map(indexedForm), ...termStream(query)]);
    const counts = await termCounts(this.db, [...forms]);
    const terms = selectiveTerms(asked, counts.total, (t) => counts.df(indexedForm(t)));
    if (counts.total === 0) return [];
    const avgdl = counts.length / counts.total;
    // Like FTS5, each distinct query term is a phrase of its own, even when two stem alike.
    const phrases = terms.map(indexedForm).map((t) => ({ term: t, idf: bm25Idf(counts.total, counts.df(t)) }));
    const limit = Math.max(k, RESCORE_DEPTH);
    // Scores of the candidates only (seq and score), then the text of the best: carrying every candidate's text costs more than scoring it.
    const score = (candidateTerms: string[]) =>
      this.db.rows<KeywordCandidate>(
        `WITH q AS (SELECT * FROM unnest($3::text[], $4::float8[]) AS q(term, idf)),
         scored AS (
           SELECT c.seq, sum(q.idf * (t.tf * ${K1 + 1}) / (t.tf + ${K1} * (1 - ${B} + ${B} * c.dl / $5::float8))) AS score
           FROM chunks c CROSS JOIN q CROSS JOIN LATERAL (SELECT (c.tf ->> q.term)::float8 AS tf) t
           WHERE c.terms @@ $1::tsquery AND c.scope = ANY($2::text[]) AND t.tf IS NOT NULL
           GROUP BY c.seq ORDER BY score DESC, c.seq LIMIT $6)
         SELECT c.id, c.text, c.metadata, s.score FROM scored s JOIN chunks c ON c.seq = s.seq ORDER BY s.score DESC, s.seq`,
        [candidateTerms.map(lexeme).join(' | '), scopes, phrases.map((p) => p.term), phrases.map((p) => p.idf), avgdl, limit],
      );
    const byRarity = [...new Set(phrases.map((p) => p.term))].sort((a, b) => counts.df(a) - counts.df(b));
    const postings = byRarity.reduce((sum, t) => sum + counts.df(t), 0);
    let candidates: KeywordCandidate[];
    if (postings < this.scoreAllBelow || byRarity.length < 2) candidates = await score(byRarity);
    else candidates = await this.prunedSearch(score, byRarity, phrases, counts.df, limit);
    return this.rescorer.rescore(
      candidates.map((c) => ({ ...c, score: Number(c.score) })),
      query,
      terms,
      counts,
      k,
    );
  }

  /**
   * The same top `limit` as scoring every candidate, with fewer candidates (MaxScore): the rarest
   * terms' chunks give a score the top must reach; a chunk holding none but the commonest terms,
   * whose best possible scores add up to less, cannot reach it, so only chunks holding one of the
   * other terms are scored.
   */
  private async prunedSearch(
    score: (candidateTerms: string[]) => Promise<KeywordCandidate[]>,
    byRarity: string[],
    phrases: { term: string; idf: number }[],
    df: (term: string) => number,
    limit: number,
  ): Promise<KeywordCandidate[]> {
    // The rarest terms with enough chunks between them to fill the top: their best give the bar.
    let prefix = 1;
    for (let seen = df(byRarity[0]!); prefix < byRarity.length && seen < limit * 2; prefix++) seen += df(byRarity[prefix]!);
    if (prefix >= byRarity.length) return score(byRarity);
    const first = await score(byRarity.slice(0, prefix));
    if (first.length < limit) return score(byRarity);
    const bar = Number(first[first.length - 1]!.score);
    // A term's most: idf * (k1 + 1), reached as tf grows; a term counted as two phrases counts twice.
    const most = (t: string) => phrases.filter((p) => p.term === t).reduce((sum, p) => sum + p.idf * (K1 + 1), 0);
    let essential = byRarity.length;
    let commonMost = 0;
    while (essential > 1 && commonMost + most(byRarity[essential - 1]!) < bar) commonMost += most(byRarity[--essential]!);
    return essential <= prefix ? first : score(byRarity.slice(0, essential));
  }

  async coverage(query: string, chunkIds: string[]): Promise<Map<string, number>> {
    if (!chunkIds.length) return new Map();
    const asked = queryTerms(query);
    const counts = await termCounts(this.db, asked.map(indexedForm));
    const terms = selectiveTerms(asked, counts.total, (t) => counts.df(indexedForm(t)));
    const rows = await this.db.rows<{ id: string; text: string; metadata: string }>(
      'SELECT id, text, metadata FROM chunks WHERE id = ANY($1::text[])',
      [chunkIds],
    );
    const coverage = this.rescorer.coverage(rows, terms, counts);
    const byId = new Map(rows.map((r, i) => [r.id, coverage[i]!]));
    return new Map(chunkIds.filter((id) => byId.has(id)).map((id) => [id, byId.get(id)!]));
  }
}
