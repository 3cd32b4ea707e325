import { randomUUID } from 'node:crypto';
import type { Job, JobStore } from '../ports.js';
import { jobFromRow, type JobRow } from '../sqlite/jobs.js';
import { DB_NOW_MS, type PgDatabase } from './database.js';

/** Finished jobs are kept this long (for `ahead` counts, and to read what happened). */
const KEEP_FINISHED_MS = 7 * 24 * 60 * 60 * 1000;
/** Whoever settles dead owners' jobs holds this transaction lock; a concurrent claimer skips that step (it is being done). */
const SETTLE_LOCK = 0x6a6f6273; // "jobs"

const DEAD_OWNER = `(owner IS NULL OR owner NOT IN (SELECT owner FROM leases WHERE expires_at > ${DB_NOW_MS}))`;

/**
 * Ingest jobs in PostgreSQL, shared by every replica. A claim locks the job it takes with
 * `FOR UPDATE SKIP LOCKED`: two replicas claiming at once take different jobs, never the same one,
 * and a lane whose oldest job is being taken is skipped by the other (its later jobs wait their turn).
 */
export class PgJobStore implements JobStore {
  constructor(private readonly db: PgDatabase) {}

  async enqueue(job: { lane: string; kind: string; payload: unknown; resumable: boolean }, owner: string): Promise<Job> {
    const now = new Date();
    const [row] = await this.db.rows<JobRow>(
      `INSERT INTO jobs (id, lane, kind, payload, status, owner, resumable, created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7) RETURNING *`,
      [randomUUID(), job.lane, job.kind, JSON.stringify(job.payload ?? null), owner, job.resumable ? 1 : 0, now.toISOString()],
    );
    await this.db.query("DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < $1", [
      new Date(now.getTime() - KEEP_FINISHED_MS).toISOString(),
    ]);
    return jobFromRow(row!);
  }

  async claim(owner: string, kinds: string[], ids: string[]): Promise<Job | undefined> {
    const row = await this.db.transaction(async (q) => {
      const { rows: lock } = await q.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS got', [SETTLE_LOCK]);
      if (lock[0]!.got) {
        // Work only its dead submitter could run fails; a resumable job of a dead runner goes back to its place (seq is unchanged).
        await q.query(
          `UPDATE jobs SET status = 'failed', error = 'interrupted: the process that queued it stopped', finished_at = $1
           WHERE status IN ('queued', 'running') AND resumable = 0 AND ${DEAD_OWNER}`,
          [new Date().toISOString()],
        );
        await q.query(`UPDATE jobs SET status = 'queued', owner = NULL WHERE status = 'running' AND ${DEAD_OWNER}`);
      }
      const { rows } = await q.query<JobRow>(
        `SELECT j.* FROM jobs j
         WHERE j.status = 'queued' AND (j.kind = ANY($1::text[]) OR j.id = ANY($2::text[]))
           AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.lane = j.lane AND r.status = 'running')
           AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.lane = j.lane AND e.status = 'queued' AND e.seq < j.seq)
         ORDER BY j.seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [kinds, ids],
      );
      const next = rows[0];
      if (!next) return undefined;
      // Re-checked under the row lock: the job is still queued and no job of its lane started meanwhile.
      const { rows: taken } = await q.query<JobRow>(
        `UPDATE jobs SET status = 'running', owner = $1, attempts = attempts + 1
         WHERE id = $2 AND status = 'queued' AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.lane = $3 AND r.status = 'running')
         RETURNING *`,
        [owner, next.id, next.lane],
      );
      return taken[0];
    });
    return row && jobFromRow(row);
  }

  async checkpoint(id: string, owner: string, payload: unknown): Promise<boolean> {
    const { rowCount } = await this.db.query("UPDATE jobs SET payload = $3 WHERE id = $1 AND owner = $2 AND status = 'running'", [
      id,
      owner,
      JSON.stringify(payload ?? null),
    ]);
    return rowCount === 1;
  }

  async finish(id: string, owner: string, outcome: { result: unknown } | { error: string }): Promise<boolean> {
    const failed = 'error' in outcome;
    const { rowCount } = await this.db.query(
      "UPDATE jobs SET status = $3, result = $4, error = $5, finished_at = $6 WHERE id = $1 AND owner = $2 AND status = 'running'",
      [
        id,
        owner,
        failed ? 'failed' : 'done',
        failed ? null : JSON.stringify(outcome.result ?? null),
        failed ? outcome.error : null,
        new Date().toISOString(),
      ],
    );
    return rowCount === 1;
  }

  async get(id: string): Promise<Job | undefined> {
    const [row] = await this.db.rows<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return row && jobFromRow(row);
  }

  async ahead(id: string): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(
      `SELECT count(*) AS n FROM jobs o, jobs j
       WHERE j.id = $1 AND o.lane = j.lane AND o.seq < j.seq AND o.status IN ('queued', 'running')`,
      [id],
    );
    return row!.n;
  }

  async pending(lane?: string): Promise<Job[]> {
    const rows = await this.db.rows<JobRow>(
      `SELECT * FROM jobs WHERE status IN ('queued', 'running') AND ($1::text IS NULL OR lane = $1) ORDER BY seq`,
      [lane ?? null],
    );
    return rows.map(jobFromRow);
  }
}
