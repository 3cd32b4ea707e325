import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';
import type { Job, JobStatus, JobStore } from '../ports.js';

export interface JobRow {
  id: string;
  lane: string;
  kind: string;
  payload: string;
  status: JobStatus;
  owner: string | null;
  resumable: number;
  attempts: number;
  result: string | null;
  error: string | null;
  created_at: string;
}

export const jobFromRow = (r: JobRow): Job => ({
  id: r.id,
  lane: r.lane,
  kind: r.kind,
  payload: JSON.parse(r.payload) as unknown,
  resumable: r.resumable === 1,
  status: r.status,
  ...(r.owner !== null && { owner: r.owner }),
  attempts: r.attempts,
  createdAt: r.created_at,
  ...(r.result !== null && { result: JSON.parse(r.result) as unknown }),
  ...(r.error !== null && { error: r.error }),
});

/** Finished jobs are kept this long (for `ahead` counts, and to read what happened). */
const KEEP_FINISHED_MS = 7 * 24 * 60 * 60 * 1000;

/** Ingest jobs in SQLite. Claims run in IMMEDIATE transactions, so two processes on one file never take the same job. */
export class SqliteJobStore implements JobStore {
  constructor(private readonly db: Db) {}

  async enqueue(job: { lane: string; kind: string; payload: unknown; resumable: boolean }, owner: string): Promise<Job> {
    const id = randomUUID();
    const now = new Date();
    this.db
      .prepare("INSERT INTO jobs (id, lane, kind, payload, status, owner, resumable, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)")
      .run(id, job.lane, job.kind, JSON.stringify(job.payload ?? null), owner, job.resumable ? 1 : 0, now.toISOString());
    this.db
      .prepare("DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < ?")
      .run(new Date(now.getTime() - KEEP_FINISHED_MS).toISOString());
    return (await this.get(id))!;
  }

  async claim(owner: string, kinds: string[], ids: string[]): Promise<Job | undefined> {
    const claim = this.db.transaction((): JobRow | undefined => {
      const now = Date.now();
      const dead = `owner IS NULL OR owner NOT IN (SELECT owner FROM leases WHERE expires_at > ${now})`;
      // Work only its dead submitter could run fails; a resumable job of a dead runner goes back to its place (seq is unchanged).
      this.db
        .prepare(
          `UPDATE jobs SET status = 'failed', error = 'interrupted: the process that queued it stopped', finished_at = ?
           WHERE status IN ('queued', 'running') AND resumable = 0 AND (${dead})`,
        )
        .run(new Date(now).toISOString());
      this.db.prepare(`UPDATE jobs SET status = 'queued', owner = NULL WHERE status = 'running' AND (${dead})`).run();
      const list = (values: string[]) => (values.length ? values.map(() => '?').join(',') : 'NULL');
      const next = this.db
        .prepare(
          `SELECT j.* FROM jobs j
           WHERE j.status = 'queued' AND (j.kind IN (${list(kinds)}) OR j.id IN (${list(ids)}))
             AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.lane = j.lane AND r.status = 'running')
             AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.lane = j.lane AND e.status = 'queued' AND e.seq < j.seq)
           ORDER BY j.seq LIMIT 1`,
        )
        .get(...kinds, ...ids) as JobRow | undefined;
      if (!next) return undefined;
      this.db.prepare("UPDATE jobs SET status = 'running', owner = ?, attempts = attempts + 1 WHERE id = ?").run(owner, next.id);
      return { ...next, status: 'running', owner, attempts: next.attempts + 1 };
    });
    const row = claim.immediate();
    return row && jobFromRow(row);
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
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && jobFromRow(row);
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
      .all(lane ?? null, lane ?? null) as JobRow[];
    return rows.map(jobFromRow);
  }
}
