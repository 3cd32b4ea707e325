import { DEFAULT_LANGUAGE, isLanguage } from '../../messages/index.js';
import type { Db } from '../database.js';
import type { AnsweredThreadStore, ChannelSettings, ChannelSettingsStore } from '../ports.js';

export class SqliteChannelSettingsStore implements ChannelSettingsStore {
  constructor(private readonly db: Db) {}

  async get(scope: string): Promise<ChannelSettings> {
    return this.read(scope);
  }

  /** The stored settings, or the defaults (English, auto-ingest off). */
  private read(scope: string): ChannelSettings {
    const row = this.db.prepare('SELECT auto_ingest, last_scan, language FROM channel_settings WHERE scope = ?').get(scope) as
      { auto_ingest: number; last_scan: string | null; language: string | null } | undefined;
    const language = row?.language && isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE;
    return { scope, autoIngest: row?.auto_ingest === 1, ...(row?.last_scan && { lastScan: row.last_scan }), language };
  }

  async update(scope: string, change: Partial<Omit<ChannelSettings, 'scope'>>): Promise<ChannelSettings> {
    return this.db.transaction(() => {
      const next = { ...this.read(scope), ...change };
      this.db
        .prepare(
          `INSERT INTO channel_settings (scope, auto_ingest, last_scan, language, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (scope) DO UPDATE SET auto_ingest = excluded.auto_ingest, last_scan = excluded.last_scan,
             language = excluded.language, updated_at = excluded.updated_at`,
        )
        .run(scope, next.autoIngest ? 1 : 0, next.lastScan ?? null, next.language, new Date().toISOString());
      return next;
    })();
  }
}

export class SqliteAnsweredThreadStore implements AnsweredThreadStore {
  constructor(private readonly db: Db) {}

  async add(thread: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO answered_threads (thread, answered_at) VALUES (?, ?) ON CONFLICT (thread) DO UPDATE SET answered_at = excluded.answered_at',
      )
      .run(thread, Date.now());
  }

  async has(thread: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM answered_threads WHERE thread = ?').get(thread) !== undefined;
  }
}
