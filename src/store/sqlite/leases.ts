import type { Db } from '../database.js';
import type { LeaseStore } from '../ports.js';

/** Whether `owner` holds a lease that has not expired (inside a transaction of the caller's, or alone). */
export function liveLease(db: Db, owner: string): boolean {
  return db.prepare('SELECT 1 FROM leases WHERE owner = ? AND expires_at > ?').get(owner, Date.now()) !== undefined;
}

/** Leases in SQLite. One machine shares one clock, so expiry is compared with this process's. */
export class SqliteLeaseStore implements LeaseStore {
  constructor(private readonly db: Db) {}

  async acquire(owner: string, ttlMs: number, holder: string): Promise<void> {
    const now = Date.now();
    this.db.prepare('INSERT INTO leases (owner, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)').run(owner, holder, now, now + ttlMs);
  }

  async renew(owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const { changes } = this.db.prepare('UPDATE leases SET expires_at = ? WHERE owner = ? AND expires_at > ?').run(now + ttlMs, owner, now);
    return changes === 1;
  }

  async isLive(owner: string): Promise<boolean> {
    return liveLease(this.db, owner);
  }

  async release(owner: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM roles WHERE owner = ?').run(owner);
      this.db.prepare('DELETE FROM leases WHERE owner = ?').run(owner);
    })();
  }

  async claimRole(role: string, owner: string): Promise<string | undefined> {
    return this.db
      .transaction(() => {
        const held = this.db.prepare('SELECT owner FROM roles WHERE role = ?').get(role) as { owner: string } | undefined;
        if (held && (held.owner === owner || liveLease(this.db, held.owner))) return held.owner;
        if (!liveLease(this.db, owner)) return held?.owner;
        this.db
          .prepare(
            'INSERT INTO roles (role, owner, since) VALUES (?, ?, ?) ON CONFLICT (role) DO UPDATE SET owner = excluded.owner, since = excluded.since',
          )
          .run(role, owner, Date.now());
        return owner;
      })
      .immediate();
  }
}
