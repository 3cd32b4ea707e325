import type { LeaseStore } from '../ports.js';
import { DB_NOW_MS, type PgDatabase } from './database.js';

/** Leases in PostgreSQL, timed on the database's clock: replicas on several hosts agree on expiry. */
export class PgLeaseStore implements LeaseStore {
  constructor(private readonly db: PgDatabase) {}

  async acquire(owner: string, ttlMs: number, holder: string): Promise<void> {
    await this.db.query(
      `INSERT INTO leases (owner, holder, acquired_at, expires_at) SELECT $1, $2, now_ms, now_ms + $3 FROM (SELECT ${DB_NOW_MS} AS now_ms) t`,
      [owner, holder, ttlMs],
    );
  }

  async renew(owner: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE leases SET expires_at = ${DB_NOW_MS} + $2 WHERE owner = $1 AND expires_at > ${DB_NOW_MS}`,
      [owner, ttlMs],
    );
    return rowCount === 1;
  }

  async isLive(owner: string): Promise<boolean> {
    return (await this.db.rows(`SELECT 1 FROM leases WHERE owner = $1 AND expires_at > ${DB_NOW_MS}`, [owner])).length > 0;
  }

  async release(owner: string): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query('DELETE FROM roles WHERE owner = $1', [owner]);
      await client.query('DELETE FROM leases WHERE owner = $1', [owner]);
    });
  }

  async claimRole(role: string, owner: string): Promise<string | undefined> {
    return this.db.transaction(async (client) => {
      // The role's row locked (or its absence held by the insert's conflict) for the whole decision.
      await client.query(`INSERT INTO roles (role, owner, since) VALUES ($1, '', 0) ON CONFLICT (role) DO NOTHING`, [role]);
      const held = (await client.query<{ owner: string }>('SELECT owner FROM roles WHERE role = $1 FOR UPDATE', [role])).rows[0]!.owner;
      const live = async (who: string) =>
        who !== '' && (await client.query(`SELECT 1 FROM leases WHERE owner = $1 AND expires_at > ${DB_NOW_MS}`, [who])).rowCount === 1;
      if (held === owner || (await live(held))) return held;
      if (!(await live(owner))) return held || undefined;
      await client.query(`UPDATE roles SET owner = $2, since = ${DB_NOW_MS} WHERE role = $1`, [role, owner]);
      return owner;
    });
  }
}
