import { DEFAULT_LANGUAGE, isLanguage } from '../../messages/index.js';
import type { AnsweredThreadStore, ChannelSettings, ChannelSettingsStore } from '../ports.js';
import type { PgDatabase, Queryable } from './database.js';

interface SettingsRow {
  auto_ingest: number;
  last_scan: string | null;
  language: string | null;
}

export class PgChannelSettingsStore implements ChannelSettingsStore {
  constructor(private readonly db: PgDatabase) {}

  async get(scope: string): Promise<ChannelSettings> {
    return read(await this.db.rows<SettingsRow>(SELECT_SETTINGS, [scope]), scope);
  }

  /** Read, merge and write under the row's lock, so two replicas' partial updates both land. */
  async update(scope: string, change: Partial<Omit<ChannelSettings, 'scope'>>): Promise<ChannelSettings> {
    return this.db.transaction(async (q: Queryable) => {
      await q.query(`INSERT INTO channel_settings (scope, auto_ingest, updated_at) VALUES ($1, 0, $2) ON CONFLICT (scope) DO NOTHING`, [
        scope,
        new Date().toISOString(),
      ]);
      const { rows } = await q.query<SettingsRow>(`${SELECT_SETTINGS} FOR UPDATE`, [scope]);
      const next = { ...read(rows, scope), ...change };
      await q.query('UPDATE channel_settings SET auto_ingest = $2, last_scan = $3, language = $4, updated_at = $5 WHERE scope = $1', [
        scope,
        next.autoIngest ? 1 : 0,
        next.lastScan ?? null,
        next.language,
        new Date().toISOString(),
      ]);
      return next;
    });
  }
}

const SELECT_SETTINGS = 'SELECT auto_ingest, last_scan, language FROM channel_settings WHERE scope = $1';

/** The stored settings, or the defaults (English, auto-ingest off). */
function read(rows: SettingsRow[], scope: string): ChannelSettings {
  const row = rows[0];
  const language = row?.language && isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE;
  return { scope, autoIngest: row?.auto_ingest === 1, ...(row?.last_scan && { lastScan: row.last_scan }), language };
}

export class PgAnsweredThreadStore implements AnsweredThreadStore {
  constructor(private readonly db: PgDatabase) {}

  async add(thread: string): Promise<void> {
    await this.db.query(
      'INSERT INTO answered_threads (thread, answered_at) VALUES ($1, $2) ON CONFLICT (thread) DO UPDATE SET answered_at = excluded.answered_at',
      [thread, Date.now()],
    );
  }

  async has(thread: string): Promise<boolean> {
    return (await this.db.rows('SELECT 1 FROM answered_threads WHERE thread = $1', [thread])).length > 0;
  }
}
