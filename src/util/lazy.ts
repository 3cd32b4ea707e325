/**
 * A service started on first use and kept once it is up. A failed start is not kept: the next call
 * starts it again, so a server that was down and comes back is used without a restart.
 */
export class Lazy<T> {
  private pending?: Promise<T>;

  constructor(private readonly start: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.pending) {
      const started = this.start();
      this.pending = started;
      started.catch(() => {
        if (this.pending === started) this.pending = undefined;
      });
    }
    return this.pending;
  }

  /** The value if it was started (successfully or still starting), without starting it. */
  peek(): Promise<T> | undefined {
    return this.pending;
  }
}
