import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';
import type { Job, JobStatus, JobStore } from '../ports.js';

interface Row {
  id: string;
  lane: string;
  kind: string;
  payload: string;
  status: JobStatus;
  owner: string | null;
  attempts: number;
  result: string | null;
  error: string | null;
  created_at: string;
}

const fromRow = (r: Row): Job => ({
  id: r.id,
  lane: r.lane,
  kind: r.kind,
  payload: JSON.parse(r.payload) as unknown,
  status: r.status,
  ...(r.owner !== null && { owner: r.owner }),
  attempts: r.attempts,
  createdAt: r.created_at,
  ...(r.result !== null && { result: JSON.parse(r.result) as unknown }),
  ...(r.error !== null && { error: r.error }),
});

/** Ingest jobs in SQLite. Claims run in IMMEDIATE transactions, so two processes on one file never take the same job. */
export class SqliteJobStore implements JobStore {
  constructor(private readonly db: Db) {}

  async enqueue(job: { lane: string; kind: string; payload: unknown }): Promise<Job> {
    const id = randomUUID();
    this.db
      .prepare("INSERT INTO jobs (id, lane, kind, payload, status, created_at) VALUES (?, ?, ?, ?, 'queued', ?)")
      .run(id, job.lane, job.kind, JSON.stringify(job.payload ?? null), new Date().toISOString());
    return (await this.get(id))!;
  }

  async claim(owner: string, kinds: string[]): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const claim = this.db.transaction((): Row | undefined => {
      const now = Date.now();
      // A job whose owner's lease expired goes back to its place in the queue (seq is unchanged).
      this.db
        .prepare(
          `UPDATE jobs SET status = 'queued', owner = NULL
           WHERE status = 'running' AND owner NOT IN (SELECT owner FROM leases WHERE expires_at > ?)`,
        )
        .run(now);
      const next = this.db
        .prepare(
          `SELECT j.* FROM jobs j
           WHERE j.status = 'queued' AND j.kind IN (${kinds.map(() => '?').join(',')})
             AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.lane = j.lane AND r.status = 'running')
             AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.lane = j.lane AND e.status = 'queued' AND e.seq < j.seq)
           ORDER BY j.seq LIMIT 1`,
        )
        .get(...kinds) as Row | undefined;
      if (!next) return undefined;
      this.db.prepare("UPDATE jobs SET status = 'running', owner = ?, attempts = attempts + 1 WHERE id = ?").run(owner, next.id);
      return { ...next, status: 'running', owner, attempts: next.attempts + 1 };
    });
    const row = claim.immediate();
    return row && fromRow(row);
  }

  async checkpoint(id: string, owner: string, payload: unknown): Promise<boolean> {
    const { changes } = this.db
      .prepare("UPDATE jobs SET payload = ? WHERE id = ? AND owner = ? AND status = 'running'")
      .run(JSON.stringify(payload ?? null), id, owner);
    return changes === 1;
  }

  async finish(id: string, owner: string, outcome: { result: unknown } | { error: string }): Promise<boolean> {
    const failed = 'error' in outcome;
    const { changes } = this.db
      .prepare("UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ? AND owner = ? AND status = 'running'")
      .run(
        failed ? 'failed' : 'done',
        failed ? null : JSON.stringify(outcome.result ?? null),
        failed ? outcome.error : null,
        new Date().toISOString(),
        id,
        owner,
      );
    return changes === 1;
  }

  async get(id: string): Promise<Job | undefined> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  async ahead(id: string): Promise<number> {
    const row = this.db
      .prepare(
        `SELECT count(*) AS n FROM jobs o, jobs j
         WHERE j.id = ? AND o.lane = j.lane AND o.seq < j.seq AND o.status IN ('queued', 'running')`,
      )
      .get(id) as { n: number };
    return row.n;
  }

  async pending(lane?: string): Promise<Job[]> {
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE status IN ('queued', 'running') AND (? IS NULL OR lane = ?) ORDER BY seq`)
      .all(lane ?? null, lane ?? null) as Row[];
    return rows.map(fromRow);
  }
}
