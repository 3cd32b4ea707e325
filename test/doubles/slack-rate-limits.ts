/**
 * Slack's Web API rate limits, as the Slack double enforces them (https://api.slack.com/apis/rate-limits):
 * - chat.postMessage: about one message a second per channel, with short bursts allowed above it;
 * - other methods: per-method, per-workspace limits by tier (Tier 1: 1+/min, 2: 20+/min, 3: 50+/min,
 *   4: 100+/min), which also allow bursts;
 * - native streams: chat.startStream posts a message, so it has chat.postMessage's per-channel limit
 *   (a bucket of its own); chat.appendStream and chat.stopStream count per stream (Slack lists them as "special"
 *   limits without numbers: the double assumes Tier 4's 100 a minute for each stream, so a stream
 *   never spends the workspace's chat.update budget).
 * Over the limit a call gets HTTP 429, `{ ok: false, error: 'ratelimited' }` and Retry-After in whole
 * seconds. Each limit is a token bucket: `burst` calls at once, refilled at the sustained rate.
 */

export interface SlackRateLimitOptions {
  /** chat.postMessage per channel: messages a second, sustained (Slack: 1). */
  postMessagePerSecond?: number;
  /** chat.postMessage per channel: messages allowed at once above the sustained rate. */
  postMessageBurst?: number;
  /** Tier of each method (others: `defaultTier`). */
  tiers?: Record<string, 1 | 2 | 3 | 4>;
  defaultTier?: 1 | 2 | 3 | 4;
  /** The clock in milliseconds (tests freeze it so that no token refills mid-test). */
  now?: () => number;
}

const PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

/** Tiers of the methods citebot and its tests call, from Slack's method reference. */
const TIERS: Record<string, 1 | 2 | 3 | 4> = {
  'auth.test': 4,
  'bots.info': 4,
  'chat.delete': 3,
  'chat.getPermalink': 4,
  'chat.postEphemeral': 4,
  'chat.update': 3,
  'chat.appendStream': 4,
  'chat.stopStream': 4,
  'assistant.threads.setStatus': 4,
  'assistant.threads.setSuggestedPrompts': 4,
  'assistant.threads.setTitle': 4,
  'views.open': 4,
  'views.publish': 4,
  'conversations.history': 3,
  'conversations.info': 3,
  'conversations.members': 4,
  'conversations.replies': 3,
  'files.info': 4,
  'files.list': 3,
  'users.info': 4,
};

class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly clock: () => number,
  ) {
    this.tokens = capacity;
    this.updated = clock();
  }

  /** Take one token, or say how many seconds until one is there. */
  take(): number | undefined {
    const now = this.clock();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updated) / 1000) * this.perSecond);
    this.updated = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return (1 - this.tokens) / this.perSecond;
  }
}

export class SlackRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly options: Required<SlackRateLimitOptions>;

  constructor(options: SlackRateLimitOptions = {}) {
    this.options = {
      postMessagePerSecond: 1,
      postMessageBurst: 4,
      defaultTier: 4,
      now: () => performance.now(),
      ...options,
      tiers: { ...TIERS, ...options.tiers },
    };
  }

  /** Undefined when the call may go ahead; otherwise the Retry-After to send, in whole seconds (at least 1). */
  check(method: string, args: Record<string, unknown>): number | undefined {
    const wait = this.bucket(method, args).take();
    return wait === undefined ? undefined : Math.max(1, Math.ceil(wait));
  }

  private bucket(method: string, args: Record<string, unknown>): TokenBucket {
    const perChannel = method === 'chat.postMessage' || method === 'chat.startStream';
    const perStream = method === 'chat.appendStream' || method === 'chat.stopStream';
    const key = perChannel ? `${method} ${String(args.channel)}` : perStream ? `${method} ${String(args.ts)}` : method;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { postMessagePerSecond, postMessageBurst, tiers, defaultTier, now } = this.options;
      const perMinute = PER_MINUTE[tiers[method] ?? defaultTier];
      bucket = perChannel ? new TokenBucket(postMessageBurst, postMessagePerSecond, now) : new TokenBucket(perMinute, perMinute / 60, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
