import type { Db } from '../database.js';
import type { HandledEventStore } from '../ports.js';

/** How long a handled event is remembered: Slack retries within minutes; a day is plenty. */
export const KEEP_MS = 24 * 60 * 60 * 1000;
/** Old keys are swept at most this often. */
export const SWEEP_EVERY_MS = 10 * 60 * 1000;

export class SqliteHandledEventStore implements HandledEventStore {
  private sweptAt = 0;

  constructor(private readonly db: Db) {}

  async claim(key: string, owner: string): Promise<boolean> {
    const now = Date.now();
    if (now - this.sweptAt > SWEEP_EVERY_MS) {
      this.sweptAt = now;
      this.db.prepare('DELETE FROM handled_events WHERE handled_at < ?').run(now - KEEP_MS);
    }
    const { changes } = this.db
      .prepare('INSERT INTO handled_events (key, owner, handled_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING')
      .run(key, owner, now);
    return changes === 1;
  }
}
