/**
 * Time left to read one file. The parser pool stops a worker at FILE_TIMEOUT_S; loaders that OCR page
 * after page watch this clock instead, so that running out of time is reported with the page it
 * reached, a little before the pool's hard stop.
 */
export class FileClock {
  private readonly deadline: number;

  constructor(timeoutMs: number) {
    // Starting the worker and loading the loader came before this clock started.
    const margin = Math.min(1500, timeoutMs * 0.1);
    this.deadline = performance.now() + timeoutMs - margin;
  }

  remainingMs(): number {
    return this.deadline - performance.now();
  }
}
