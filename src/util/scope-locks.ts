/** Scopes with an ingest running: a second one in the same channel is refused, not queued. */
export class ScopeLocks {
  private readonly running = new Set<string>();

  /** Runs `work` unless `scope` is busy; returns false (without running it) when it is. */
  async run(scope: string, work: () => Promise<unknown>): Promise<boolean> {
    if (this.running.has(scope)) return false;
    this.running.add(scope);
    try {
      await work();
      return true;
    } finally {
      this.running.delete(scope);
    }
  }
}
