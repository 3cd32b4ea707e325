import type { HandledEventStore } from '../ports.js';
import { KEEP_MS, SWEEP_EVERY_MS } from '../sqlite/events.js';
import type { PgDatabase } from './database.js';

/** Handled events in PostgreSQL: the primary key decides the first claim, across every replica. */
export class PgHandledEventStore implements HandledEventStore {
  private sweptAt = 0;

  constructor(private readonly db: PgDatabase) {}

  async claim(key: string, owner: string): Promise<boolean> {
    const now = Date.now();
    if (now - this.sweptAt > SWEEP_EVERY_MS) {
      this.sweptAt = now;
      await this.db.query('DELETE FROM handled_events WHERE handled_at < $1', [now - KEEP_MS]);
    }
    const { rowCount } = await this.db.query(
      'INSERT INTO handled_events (key, owner, handled_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
      [key, owner, now],
    );
    return rowCount === 1;
  }
}
