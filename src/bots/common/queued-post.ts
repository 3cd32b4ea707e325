/**
 * The first post of a message citebot shows and then edits (an answer that grows, a progress line).
 * Chat platforms limit posts per channel, so posts wait their turn; until this one goes out, a newer
 * state replaces the one waiting, and a message that waited is posted as it stands then (often
 * finished, which saves its edits too).
 */
export class QueuedPost<P, R> {
  private waiting?: P;
  private sentPayload?: P;
  private posting?: Promise<R>;
  private posted?: R;

  /**
   * @param enqueue queues the post behind the channel's earlier ones; it reads the payload when the
   *   post's turn comes (and may read it again after a rate limit)
   */
  constructor(private readonly enqueue: (payload: () => P) => Promise<R>) {}

  /** The posted message, once it is out. */
  get message(): R | undefined {
    return this.posted;
  }

  /** Whether a post is queued, in flight or done. */
  get started(): boolean {
    return this.posting !== undefined;
  }

  /** A message posted earlier (by a process that has since died): its edits go to it. */
  adopt(posted: R): void {
    this.posted = posted;
    this.posting = Promise.resolve(posted);
  }

  /** Queues the post (or, when one is queued, makes it send `payload`). A failed post may be started again. */
  post(payload: P): Promise<R> {
    this.waiting = payload;
    this.posting ??= this.enqueue(() => (this.sentPayload = this.waiting!)).then(
      (posted) => (this.posted = posted),
      (error: unknown) => {
        this.posting = undefined;
        throw error;
      },
    );
    return this.posting;
  }

  /** Makes the queued post send `payload`; false when there is none waiting (nothing queued, or it went out). */
  replace(payload: P): boolean {
    if (!this.posting || this.posted !== undefined) return false;
    this.waiting = payload;
    return true;
  }

  /** Whether `payload` is what the post sent. */
  sent(payload: P): boolean {
    return this.posted !== undefined && this.sentPayload === payload;
  }

  /** Waits for a post queued or in flight; its failure is the caller of `post`'s to handle. */
  async settled(): Promise<R | undefined> {
    return this.posting?.catch(() => undefined);
  }
}
