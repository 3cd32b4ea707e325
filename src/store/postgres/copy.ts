import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CitebotError } from '../../errors.js';
import type { StoredChunk } from '../chunk.js';
import { SQLITE_FILE } from '../sqlite/state.js';
import type { PgDatabase } from './database.js';
import { applyCounts, CountChange, insertChunks } from './keywords.js';

/**
 * What moves from one machine's SQLite to PostgreSQL, in this order (feedback needs its answers).
 * Chunks are copied with their keyword terms computed afresh (same tokenizer), never re-embedded:
 * their vectors stay in Chroma under the same ids. Not copied: work in flight that belongs to this
 * machine's processes (leases, jobs, unconfirmed-vector notes) and the day of handled-event keys.
 */
const TABLES = [
  'meta',
  'documents',
  'answers',
  'feedback',
  'channel_settings',
  'answered_threads',
  'conversation_channels',
  'conversation_messages',
  'access_tokens',
] as const;

const BATCH = 500;

export type CopyCounts = Record<(typeof TABLES)[number] | 'chunks', number>;

/**
 * Copy DATA_DIR's SQLite state into PostgreSQL. Rows already there (same key) are left as they
 * are, so a second run copies nothing, and an interrupted run is finished by the next.
 */
export async function copySqliteState(dataDir: string, target: PgDatabase): Promise<CopyCounts> {
  const file = join(dataDir, SQLITE_FILE);
  if (!existsSync(file))
    throw new CitebotError('not_found', `there is no citebot state to copy at ${file}`, {
      fix: 'set DATA_DIR to the data directory of the single-machine citebot you move up',
    });
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await target.ready();
    const counts = {} as CopyCounts;
    for (const table of TABLES) {
      counts[table] = 0;
      const rows = source.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      for (let i = 0; i < rows.length; i += BATCH) {
        const [row] = await target.rows<{ n: number }>(
          `WITH copied AS (INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json) ON CONFLICT DO NOTHING RETURNING 1)
           SELECT count(*) AS n FROM copied`,
          [JSON.stringify(rows.slice(i, i + BATCH))],
        );
        counts[table] += row!.n;
      }
    }
    counts.chunks = await copyChunks(source, target);
    return counts;
  } finally {
    source.close();
  }
}

/** Chunks in SQLite's order, each batch in one transaction with its document frequencies; ids already copied are skipped. */
async function copyChunks(source: Database.Database, target: PgDatabase): Promise<number> {
  const page = source.prepare('SELECT rowid, id, text, metadata FROM chunks WHERE rowid > ? ORDER BY rowid LIMIT ?');
  let after = 0;
  let copied = 0;
  for (;;) {
    const rows = page.all(after, BATCH) as { rowid: number; id: string; text: string; metadata: string }[];
    if (!rows.length) return copied;
    after = rows[rows.length - 1]!.rowid;
    copied += await target.transaction(async (q) => {
      const { rows: present } = await q.query<{ id: string }>('SELECT id FROM chunks WHERE id = ANY($1::text[])', [rows.map((r) => r.id)]);
      const skip = new Set(present.map((r) => r.id));
      const chunks: StoredChunk[] = rows
        .filter((r) => !skip.has(r.id))
        .map((r) => ({ id: r.id, text: r.text, metadata: JSON.parse(r.metadata) as StoredChunk['metadata'] }));
      const change = new CountChange();
      await insertChunks(q, chunks, change);
      await applyCounts(q, change);
      return chunks.length;
    });
  }
}
