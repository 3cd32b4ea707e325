import { randomUUID } from 'node:crypto';
import type { AnswerStore, FeedbackEntry, FeedbackFilter, FeedbackReason, Rating, StoredAnswer } from '../ports.js';
import { ANSWER_COLUMNS, answerValues, toAnswer, toReason, type AnswerRow, type FeedbackRow } from '../sqlite/answers.js';
import type { PgDatabase } from './database.js';

/** Answers posted in chat and their feedback, in PostgreSQL (same rows as SQLite's). */
export class PgAnswerStore implements AnswerStore {
  constructor(private readonly db: PgDatabase) {}

  async save(answer: Omit<StoredAnswer, 'id' | 'createdAt'>): Promise<StoredAnswer> {
    const stored: StoredAnswer = { ...answer, id: randomUUID(), createdAt: new Date().toISOString() };
    await this.db.query(`INSERT INTO answers (${ANSWER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, answerValues(stored));
    return stored;
  }

  async get(id: string): Promise<StoredAnswer | undefined> {
    const [row] = await this.db.rows<AnswerRow>('SELECT * FROM answers WHERE id = $1', [id]);
    return row && toAnswer(row);
  }

  async rate(answerId: string, userId: string, rating: Rating, reason?: FeedbackReason): Promise<boolean> {
    // INSERT … SELECT: an unknown answer inserts nothing (and a concurrent click just updates).
    const { rowCount } = await this.db.query(
      `INSERT INTO feedback (answer_id, user_id, rating, reason_kind, reason_text, created_at)
       SELECT id, $2, $3, $4, $5, $6 FROM answers WHERE id = $1
       ON CONFLICT (answer_id, user_id) DO UPDATE SET rating = excluded.rating, reason_kind = excluded.reason_kind,
         reason_text = excluded.reason_text, created_at = excluded.created_at`,
      [answerId, userId, rating, reason?.kind ?? null, reason?.text ?? null, new Date().toISOString()],
    );
    return rowCount === 1;
  }

  async feedback(answerId: string): Promise<{ userId: string; rating: Rating; reason?: FeedbackReason }[]> {
    const rows = await this.db.rows<FeedbackRow>('SELECT * FROM feedback WHERE answer_id = $1 ORDER BY created_at', [answerId]);
    return rows.map((r) => {
      const reason = toReason(r);
      return { userId: r.user_id, rating: r.rating, ...(reason && { reason }) };
    });
  }

  async listFeedback(filter: FeedbackFilter = {}): Promise<FeedbackEntry[]> {
    if (filter.scopes && !filter.scopes.length) return [];
    const rows = await this.db.rows<AnswerRow & Omit<FeedbackRow, 'created_at'> & { rated_at: string }>(
      `SELECT a.*, f.user_id, f.rating, f.reason_kind, f.reason_text, f.created_at AS rated_at
       FROM feedback f JOIN answers a ON a.id = f.answer_id
       WHERE ($1::text[] IS NULL OR a.scope = ANY($1::text[])) AND ($2::text IS NULL OR f.created_at >= $2)
         AND ($3::text IS NULL OR f.rating = $3)
       ORDER BY f.created_at DESC, a.id COLLATE "C", f.user_id COLLATE "C" LIMIT $4`,
      [filter.scopes ?? null, filter.since ?? null, filter.rating ?? null, filter.limit ?? 100],
    );
    return rows.map((r) => {
      const reason = toReason({ ...r, created_at: r.rated_at });
      return { answer: toAnswer(r), userId: r.user_id, rating: r.rating, ...(reason && { reason }), at: r.rated_at };
    });
  }
}
