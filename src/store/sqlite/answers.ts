import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';
import type {
  AnswerStore,
  FeedbackEntry,
  FeedbackFilter,
  FeedbackReason,
  FeedbackReasonKind,
  Rating,
  StoredAnswer,
  StoredSource,
} from '../ports.js';

export interface AnswerRow {
  id: string;
  scope: string;
  asked_by: string | null;
  question: string;
  answer: string;
  sources: string;
  model: string | null;
  created_at: string;
}

export interface FeedbackRow {
  user_id: string;
  rating: Rating;
  reason_kind: FeedbackReasonKind | null;
  reason_text: string | null;
  created_at: string;
}

/** The columns of an `answers` row, in the order both adapters insert them. */
export const ANSWER_COLUMNS = 'id, scope, asked_by, question, answer, sources, model, created_at';

/** A stored answer as the values of ANSWER_COLUMNS. */
export function answerValues(a: StoredAnswer): unknown[] {
  return [a.id, a.scope, a.askedBy ?? null, a.question, a.answer, JSON.stringify(a.sources), a.model ?? null, a.createdAt];
}

export function toAnswer(row: AnswerRow): StoredAnswer {
  return {
    id: row.id,
    scope: row.scope,
    ...(row.asked_by !== null && { askedBy: row.asked_by }),
    question: row.question,
    answer: row.answer,
    sources: JSON.parse(row.sources) as StoredSource[],
    ...(row.model !== null && { model: row.model }),
    createdAt: row.created_at,
  };
}

export function toReason(row: FeedbackRow): FeedbackReason | undefined {
  if (!row.reason_kind) return undefined;
  return { kind: row.reason_kind, ...(row.reason_text && { text: row.reason_text }) };
}

export class SqliteAnswerStore implements AnswerStore {
  constructor(private readonly db: Db) {}

  async save(answer: Omit<StoredAnswer, 'id' | 'createdAt'>): Promise<StoredAnswer> {
    const stored: StoredAnswer = { ...answer, id: randomUUID(), createdAt: new Date().toISOString() };
    this.db.prepare(`INSERT INTO answers (${ANSWER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(...answerValues(stored));
    return stored;
  }

  async get(id: string): Promise<StoredAnswer | undefined> {
    const row = this.db.prepare('SELECT * FROM answers WHERE id = ?').get(id) as AnswerRow | undefined;
    return row && toAnswer(row);
  }

  async rate(answerId: string, userId: string, rating: Rating, reason?: FeedbackReason): Promise<boolean> {
    if (!(await this.get(answerId))) return false;
    this.db
      .prepare(
        `INSERT INTO feedback (answer_id, user_id, rating, reason_kind, reason_text, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (answer_id, user_id) DO UPDATE SET rating = excluded.rating, reason_kind = excluded.reason_kind,
           reason_text = excluded.reason_text, created_at = excluded.created_at`,
      )
      .run(answerId, userId, rating, reason?.kind ?? null, reason?.text ?? null, new Date().toISOString());
    return true;
  }

  async feedback(answerId: string): Promise<{ userId: string; rating: Rating; reason?: FeedbackReason }[]> {
    const rows = this.db.prepare('SELECT * FROM feedback WHERE answer_id = ? ORDER BY created_at').all(answerId) as FeedbackRow[];
    return rows.map((r) => {
      const reason = toReason(r);
      return { userId: r.user_id, rating: r.rating, ...(reason && { reason }) };
    });
  }

  async listFeedback(filter: FeedbackFilter = {}): Promise<FeedbackEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.scopes) {
      if (!filter.scopes.length) return [];
      where.push(`a.scope IN (${filter.scopes.map(() => '?').join(', ')})`);
      params.push(...filter.scopes);
    }
    if (filter.since) {
      where.push('f.created_at >= ?');
      params.push(filter.since);
    }
    if (filter.rating) {
      where.push('f.rating = ?');
      params.push(filter.rating);
    }
    const rows = this.db
      .prepare(
        `SELECT a.*, f.user_id, f.rating, f.reason_kind, f.reason_text, f.created_at AS rated_at
         FROM feedback f JOIN answers a ON a.id = f.answer_id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY f.created_at DESC, a.id, f.user_id LIMIT ?`,
      )
      .all(...params, filter.limit ?? 100) as (AnswerRow & Omit<FeedbackRow, 'created_at'> & { rated_at: string })[];
    return rows.map((r) => {
      const reason = toReason({ ...r, created_at: r.rated_at });
      return { answer: toAnswer(r), userId: r.user_id, rating: r.rating, ...(reason && { reason }), at: r.rated_at };
    });
  }
}
