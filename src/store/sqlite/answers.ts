import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';
import type { AnswerStore, Rating, StoredAnswer, StoredSource } from '../ports.js';

interface Row {
  id: string;
  scope: string;
  asked_by: string | null;
  question: string;
  answer: string;
  sources: string;
  created_at: string;
}

export class SqliteAnswerStore implements AnswerStore {
  constructor(private readonly db: Db) {}

  async save(answer: Omit<StoredAnswer, 'id' | 'createdAt'>): Promise<StoredAnswer> {
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

  async get(id: string): Promise<StoredAnswer | undefined> {
    const row = this.db.prepare('SELECT * FROM answers WHERE id = ?').get(id) as Row | undefined;
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

  async rate(answerId: string, userId: string, rating: Rating): Promise<boolean> {
    if (!(await this.get(answerId))) return false;
    this.db
      .prepare(
        `INSERT INTO feedback (answer_id, user_id, rating, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (answer_id, user_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at`,
      )
      .run(answerId, userId, rating, new Date().toISOString());
    return true;
  }

  async feedback(answerId: string): Promise<{ userId: string; rating: Rating }[]> {
    const rows = this.db.prepare('SELECT user_id, rating FROM feedback WHERE answer_id = ? ORDER BY created_at').all(answerId) as {
      user_id: string;
      rating: Rating;
    }[];
    return rows.map((r) => ({ userId: r.user_id, rating: r.rating }));
  }
}
