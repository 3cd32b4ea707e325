import type { LoadContext } from '../loaders/loader.js';

/** Reported a little before the pool's hard stop, so that the message names the page reached. */
const MARGIN_MS = 500;

/**
 * Time left to read one file. The parser pool stops a worker at FILE_TIMEOUT_S; loaders that OCR page
 * after page watch this clock instead, so that running out of time is reported with the page it reached.
 */
export class FileClock {
  private readonly deadline: number;

  constructor(ctx: Pick<LoadContext, 'deadline' | 'limits'>) {
    this.deadline = (ctx.deadline ?? Date.now() + ctx.limits.timeoutMs) - MARGIN_MS;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }
}
