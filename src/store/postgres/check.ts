import { failedCheck, type Check } from '../../errors.js';
import type { StateStore } from '../ports.js';
import { POOL_SIZE } from './database.js';
import type { PostgresState } from './state.js';

/** The oldest PostgreSQL citebot runs on (server_version_num). */
const MIN_SERVER_VERSION = 140000;

export function isPostgresState(state: StateStore): state is PostgresState {
  return state.backend === 'postgres' && 'database' in state;
}

/** Doctor's line for PostgreSQL: reachable, version 14 or newer, migrations current, and how the pool is doing. */
export async function checkPostgres(state: PostgresState): Promise<Check> {
  const db = state.database;
  try {
    const [row] = await db.rows<{ version: string; num: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
    );
    const { current, expected } = await db.schemaVersion();
    const pool = `pool ${db.pool.totalCount}/${POOL_SIZE} connections (${db.pool.idleCount} idle, ${db.pool.waitingCount} waiting)`;
    const where = `PostgreSQL ${row!.version} at ${safeAddress(db.url)}`;
    if (Number(row!.num) < MIN_SERVER_VERSION)
      return {
        name: 'database',
        status: 'failed',
        detail: `${where}: version 14 or newer is needed`,
        fix: 'upgrade PostgreSQL to 14 or newer',
      };
    if (current !== expected)
      return {
        name: 'database',
        status: 'failed',
        detail: `${where}: schema at version ${current}, this citebot expects ${expected}`,
        fix: current > expected ? 'upgrade this citebot: a newer one migrated the database' : 'restart citebot so it migrates the database',
      };
    return { name: 'database', status: 'ok', detail: `${where}, schema version ${current}, ${pool}` };
  } catch (error) {
    return failedCheck('database', error, 'start PostgreSQL or correct DATABASE_URL');
  }
}

/** The URL without its password, for doctor's output. */
function safeAddress(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}
