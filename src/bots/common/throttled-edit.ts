import { log } from '../../log.js';
import { oneLine } from '../../errors.js';

/**
 * Edits one chat message at a bounded rate. Slack (`chat.update`) and Discord (message edits) both
 * rate-limit per channel, and a streamed answer or a progress line changes far more often than
 * that: only the latest text matters, so intermediate texts are dropped, never queued.
 */
export class ThrottledEdit {
  private latest?: string;
  private shown?: string;
  // The message was just posted: the first edit waits one interval too.
  private lastEditAt = Date.now();
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private closed = false;

  constructor(
    private readonly edit: (text: string) => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  /** Show `text` soon: now if the last edit is old enough, otherwise when the interval has passed. */
  push(text: string): void {
    if (this.closed || text === this.latest) return;
    this.latest = text;
    this.schedule();
  }

  /** Stop editing and wait for an edit in flight, so the caller's final edit lands last. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(): void {
    if (this.closed || this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastEditAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.run(), wait);
  }

  private run(): void {
    this.timer = undefined;
    const text = this.latest;
    if (this.closed || text === undefined || text === this.shown) return;
    this.lastEditAt = Date.now();
    this.inFlight = Promise.resolve(this.edit(text))
      .then(() => void (this.shown = text))
      // A failed intermediate edit is not worth failing the answer: the final edit follows.
      .catch((error: unknown) => log.debug(`intermediate edit failed: ${oneLine(error)}`))
      .finally(() => {
        this.inFlight = undefined;
        if (this.latest !== this.shown) this.schedule();
      });
  }
}
