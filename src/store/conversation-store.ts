import { randomUUID } from 'node:crypto';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../messages/index.js';
import type { Db } from './database.js';

/** A source as stored with an answer: enough to see later what the answer was based on. */
export interface StoredSource {
  n: number;
  source: string;
  url: string;
  location: string;
  chunkId: string;
}

export interface StoredAnswer {
  id: string;
  scope: string;
  askedBy?: string;
  question: string;
  answer: string;
  sources: StoredSource[];
  createdAt: string;
}

export type Rating = 'up' | 'down';

export interface ChannelSettings {
  scope: string;
  autoIngest: boolean;
  /** Platform cursor of the last history scan (a Discord message id), to scan only what is newer. */
  lastScan?: string;
  /** The language of the last question asked here (English until one is): for replies that answer no question. */
  language: Language;
}

/**
 * What the chat adapters remember between events: the answers they posted (for feedback), the
 * feedback itself, and per-channel settings. Lives in the same SQLite file as the ledger.
 */
export class ConversationStore {
  constructor(private readonly db: Db) {}

  saveAnswer(answer: Omit<StoredAnswer, 'id' | 'createdAt'>): StoredAnswer {
    const stored: StoredAnswer = { ...answer, id: randomUUID(), createdAt: new Date().toISOString() };
    this.db
      .prepare('INSERT INTO answers (id, scope, asked_by, question, answer, sources, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        stored.id,
        stored.scope,
        stored.askedBy ?? null,
        stored.question,
        stored.answer,
        JSON.stringify(stored.sources),
        stored.createdAt,
      );
    return stored;
  }

  answer(id: string): StoredAnswer | undefined {
    const row = this.db.prepare('SELECT * FROM answers WHERE id = ?').get(id) as
      | { id: string; scope: string; asked_by: string | null; question: string; answer: string; sources: string; created_at: string }
      | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      scope: row.scope,
      askedBy: row.asked_by ?? undefined,
      question: row.question,
      answer: row.answer,
      sources: JSON.parse(row.sources) as StoredSource[],
      createdAt: row.created_at,
    };
  }

  /** One rating per person per answer; clicking again changes it. False if the answer is unknown. */
  rate(answerId: string, userId: string, rating: Rating): boolean {
    if (!this.answer(answerId)) return false;
    this.db
      .prepare(
        `INSERT INTO feedback (answer_id, user_id, rating, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (answer_id, user_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at`,
      )
      .run(answerId, userId, rating, new Date().toISOString());
    return true;
  }

  feedback(answerId: string): { userId: string; rating: Rating }[] {
    return (
      this.db.prepare('SELECT user_id, rating FROM feedback WHERE answer_id = ? ORDER BY created_at').all(answerId) as {
        user_id: string;
        rating: Rating;
      }[]
    ).map((r) => ({ userId: r.user_id, rating: r.rating }));
  }

  channel(scope: string): ChannelSettings {
    const row = this.db.prepare('SELECT auto_ingest, last_scan, language FROM channel_settings WHERE scope = ?').get(scope) as
      { auto_ingest: number; last_scan: string | null; language: string | null } | undefined;
    const language = row?.language && isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE;
    return { scope, autoIngest: row?.auto_ingest === 1, lastScan: row?.last_scan ?? undefined, language };
  }

  /** The language replies in `scope` use when they answer no question. */
  channelLanguage(scope: string): Language {
    return this.channel(scope).language;
  }

  updateChannel(scope: string, change: Partial<Omit<ChannelSettings, 'scope'>>): ChannelSettings {
    const next = { ...this.channel(scope), ...change };
    this.db
      .prepare(
        `INSERT INTO channel_settings (scope, auto_ingest, last_scan, language, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET auto_ingest = excluded.auto_ingest, last_scan = excluded.last_scan,
           language = excluded.language, updated_at = excluded.updated_at`,
      )
      .run(scope, next.autoIngest ? 1 : 0, next.lastScan ?? null, next.language, new Date().toISOString());
    return next;
  }
}
