import pg from 'pg';
import { CitebotError, oneLine } from '../../errors.js';
import { Lazy } from '../../util/lazy.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

/** Connections per process: enough for a search beside an ingest and the background renewals, few enough for many replicas. */
export const POOL_SIZE = 10;
/** A connection that cannot be made within this fails the call (the database is down), instead of hanging it. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Any replica's migrations take this advisory lock, so replicas started together migrate one at a time. */
const MIGRATION_LOCK = 0x63697465; // "cite"

/** int8 (counts, sums) as a JS number: our counts stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export type Queryable = pg.Pool | pg.PoolClient;

/** SQLSTATE classes of a database that is not there (08: connection, 57P: shutdown) and Node's socket errors. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN'].includes(code) ||
    /connection terminated|timeout exceeded when trying to connect|Connection terminated/i.test((error as Error)?.message ?? '')
  );
}

/** A database that cannot be reached becomes `database_unavailable` (retryable); anything else passes as it is. */
export function databaseError(error: unknown): unknown {
  if (!isUnavailable(error)) return error;
  return new CitebotError('database_unavailable', `PostgreSQL (DATABASE_URL) cannot be reached: ${oneLine(error)}`, {
    fix: 'start PostgreSQL or correct DATABASE_URL; citebot reconnects by itself once it answers',
    cause: error,
  });
}

/**
 * citebot's connection pool to PostgreSQL. Every call waits for the migrations (run once per
 * process, tried again on the next call if the database was down). A dropped connection is removed
 * from the pool by `pg`, so once PostgreSQL is back the next call connects afresh: no restart needed.
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  private readonly migrated: Lazy<void>;

  constructor(readonly url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: POOL_SIZE,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      types,
      application_name: 'citebot',
    });
    // An idle client that loses its server emits here; without a listener that would end the process.
    this.pool.on('error', () => {});
    this.migrated = new Lazy(() => migrate(this.pool));
  }

  /** The schema is current (migrations applied). Rejects with `database_unavailable` while the database is down. */
  async ready(): Promise<void> {
    try {
      await this.migrated.get();
    } catch (error) {
      throw databaseError(error);
    }
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    await this.ready();
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw databaseError(error);
    }
  }

  async rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.query<R>(sql, params)).rows;
  }

  /** `work` in one transaction on one connection: committed if it returns, rolled back if it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw databaseError(error);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw databaseError(error);
    } finally {
      client.release(broken);
    }
  }

  /** The schema version this database is at, and the one this citebot expects (for doctor). */
  async schemaVersion(): Promise<{ current: number; expected: number }> {
    const rows = await this.rows<{ version: number }>('SELECT max(version) AS version FROM schema_migrations');
    return { current: rows[0]?.version ?? 0, expected: POSTGRES_MIGRATIONS.length };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Applies what is missing of POSTGRES_MIGRATIONS, each in its own transaction, under an advisory lock. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Session lock: held across the migrations' transactions, released by the unlock (or the session's end).
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)');
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      for (let v = rows[0]?.version ?? 0; v < POSTGRES_MIGRATIONS.length; v++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[v]!);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [v + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** Milliseconds since the epoch on the database's clock: replicas on several hosts compare leases on one clock. */
export const DB_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
