import { webApi } from '@slack/bolt';
import { log } from '../../log.js';
import { WorkQueue } from '../../util/work-queue.js';

type PostArguments = webApi.ChatPostMessageArguments;
type UpdateArguments = webApi.ChatUpdateArguments;

/**
 * chat.update is Tier 3: about 50 a minute per workspace. Streamed edits stay under this many, so
 * that the final edits (which must land) find room in the rest.
 */
const STREAMED_UPDATES_PER_MINUTE = 40;
/** The window of the edit budget: recent edits, and messages still owing their final edit. */
const MINUTE_MS = 60_000;
/** How long a final message may wait out rate limits before it counts as failed. */
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;

export interface SlackOutboxOptions {
  token?: string;
  slackApiUrl?: string;
  logger?: webApi.Logger;
}

/**
 * The one way citebot's own messages reach Slack (chat.postMessage and chat.update), kept inside
 * Slack's limits: about one message a second per channel, and chat.update's 50 a minute.
 *
 * - Posts go out one at a time per channel, and a post's payload is read when its turn comes: a
 *   message whose answer finished while it waited is posted finished, without an edit.
 * - A 429 pauses only its own bucket (one channel's posts, or the workspace's edits) for its
 *   Retry-After; the WebClient would pause every call and back off exponentially, and give up
 *   after ten tries, which under a burst loses answers.
 * - Streaming is a luxury: a partial edit is skipped when the edit budget is short, and a final
 *   edit is always sent, waiting out 429s as long as Slack asks.
 */
export class SlackOutbox {
  private readonly client: webApi.WebClient;
  private readonly posts = new WorkQueue();
  /** When each recent chat.update was sent, oldest first. */
  private readonly updates: number[] = [];
  /** Messages posted before their final text: each owes one chat.update. */
  private readonly owed = new Map<symbol, number>();
  /** Until when a bucket ("post <channel>" or "update") is rate limited. */
  private readonly pausedUntil = new Map<string, number>();
  private readonly now = Date.now;

  constructor(options: SlackOutboxOptions) {
    this.client = new webApi.WebClient(options.token, {
      slackApiUrl: options.slackApiUrl,
      logger: options.logger,
      // 429s are this class's to schedule; the client still retries dropped connections and 5xx.
      rejectRateLimitedCalls: true,
      retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes,
    });
  }

  /**
   * Posts one message, after the channel's earlier posts. `payload` is called when its turn comes
   * (and again after a rate limit), so the newest text is the one sent.
   */
  post(channel: string, payload: () => PostArguments): Promise<webApi.ChatPostMessageResponse> {
    return this.posts.enqueue(channel, () => this.whenAllowed(`post ${channel}`, () => this.client.chat.postMessage(payload()))).done;
  }

  /** Whether a message may be posted before its final text (it will then owe one edit). */
  mayStream(): boolean {
    return this.streamingRoom() > 0;
  }

  /** Records that a message was posted unfinished; the returned function settles the debt. */
  owe(): () => void {
    const key = Symbol('owed edit');
    this.owed.set(key, this.now());
    return () => this.owed.delete(key);
  }

  /** An intermediate edit: sent only when the budget allows, skipped (false) otherwise or when limited. */
  async updatePartial(args: UpdateArguments): Promise<boolean> {
    // This edit's own message already counts as owed: its edit fits when the room is not negative.
    if (this.streamingRoom() < 0) return false;
    this.updates.push(this.now());
    try {
      await this.client.chat.update(args);
      return true;
    } catch (error) {
      if (!isRateLimited(error)) throw error;
      this.pause('update', error.retryAfter);
      return false;
    }
  }

  /** The final edit of a message: always sent, after any rate limit. */
  async updateFinal(args: UpdateArguments): Promise<void> {
    await this.whenAllowed('update', () => {
      this.updates.push(this.now());
      return this.client.chat.update(args);
    });
  }

  /**
   * Native streaming (chat.startStream): fails at once, a 429 included (the caller then edits a
   * message instead); the stream's own calls have their own limits, apart from chat.update's.
   */
  startStream(args: webApi.ChatStartStreamArguments): Promise<webApi.ChatStartStreamResponse> {
    return this.client.chat.startStream(args);
  }

  /** More text on a stream: skipped (false) when rate limited, as a partial edit is; the final edit follows. */
  async appendStream(args: webApi.ChatAppendStreamArguments): Promise<boolean> {
    try {
      await this.client.chat.appendStream(args);
      return true;
    } catch (error) {
      if (!isRateLimited(error)) throw error;
      return false;
    }
  }

  /** Ends a stream: always sent, after any rate limit. */
  async stopStream(args: webApi.ChatStopStreamArguments): Promise<void> {
    await this.whenAllowed('stream', () => this.client.chat.stopStream(args));
  }

  /** Runs `call`, and again after each 429's Retry-After (pausing only `bucket`), until it lands. */
  private async whenAllowed<T>(bucket: string, call: () => Promise<T>): Promise<T> {
    const started = this.now();
    for (;;) {
      const wait = (this.pausedUntil.get(bucket) ?? 0) - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await call();
      } catch (error) {
        if (!isRateLimited(error) || this.now() - started > MAX_RATE_LIMIT_WAIT_MS) throw error;
        log.debug(`slack: ${bucket} rate limited, retrying in ${error.retryAfter} s`);
        this.pause(bucket, error.retryAfter);
      }
    }
  }

  private pause(bucket: string, seconds: number): void {
    this.pausedUntil.set(bucket, Math.max(this.pausedUntil.get(bucket) ?? 0, this.now() + seconds * 1000));
  }

  private paused(bucket: string): boolean {
    return (this.pausedUntil.get(bucket) ?? 0) > this.now();
  }

  /** Streamed edits still affordable this minute, after the final edits owed; none while edits are rate limited. */
  private streamingRoom(): number {
    if (this.paused('update')) return -1;
    return STREAMED_UPDATES_PER_MINUTE - this.recentUpdates() - this.owedCount();
  }

  private recentUpdates(): number {
    const since = this.now() - MINUTE_MS;
    while (this.updates.length > 0 && this.updates[0]! < since) this.updates.shift();
    return this.updates.length;
  }

  private owedCount(): number {
    const since = this.now() - MINUTE_MS;
    // A debt older than a minute no longer matters to the budget (and is forgotten).
    for (const [key, at] of this.owed) if (at < since) this.owed.delete(key);
    return this.owed.size;
  }
}

function isRateLimited(error: unknown): error is webApi.WebAPIRateLimitedError {
  return (error as { code?: unknown }).code === webApi.ErrorCode.RateLimitedError;
}
