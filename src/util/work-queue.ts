/**
 * Work run one piece at a time per key, in the order it was queued. Nothing queued is dropped: a
 * failed piece rejects its own promise and the next one still runs.
 */
export class WorkQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly depth = new Map<string, number>();

  /** Pieces queued or running for `key`. */
  pending(key: string): number {
    return this.depth.get(key) ?? 0;
  }

  /** Queue `work` behind what is already queued for `key`; `ahead` says how many pieces run first. */
  enqueue<T>(key: string, work: () => Promise<T>): { ahead: number; done: Promise<T> } {
    const ahead = this.pending(key);
    this.depth.set(key, ahead + 1);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const done = previous.then(work, work);
    const tail = done.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      const left = this.pending(key) - 1;
      if (left > 0) return void this.depth.set(key, left);
      this.depth.delete(key);
      this.tails.delete(key);
    });
    return { ahead, done };
  }
}
