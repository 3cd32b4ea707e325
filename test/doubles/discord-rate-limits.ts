/**
 * Discord's REST rate limits, as the Discord double enforces them (https://discord.com/developers/docs/topics/rate-limits):
 * per-route buckets keyed by the route's major parameter (channel, guild, webhook), each allowing
 * `limit` requests per window; every response carries X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/
 * -Bucket; over a bucket's limit, 429 with `{ message, retry_after, global: false }` and scope "user".
 * On top, a global limit of 50 requests a second per bot (429 with `global: true`, X-RateLimit-Global).
 * Interaction callbacks are exempt, as on Discord. Bucket sizes are the ones Discord serves today for
 * these routes (they are not documented and may change).
 */
import { createHash } from 'node:crypto';

export interface DiscordRateLimitOptions {
  /** Requests a second per bot across all routes (Discord: 50). */
  globalPerSecond?: number;
  /** Per-route limits: first matching rule wins; `[method, path pattern, limit, window ms]`. */
  rules?: [string, RegExp, number, number][];
  /** The clock in milliseconds since the epoch (tests freeze it so that no window resets mid-test). */
  now?: () => number;
}

const DEFAULT_RULES: [string, RegExp, number, number][] = [
  ['POST', /^\/channels\/\d+\/messages$/, 5, 5000],
  ['PATCH', /^\/channels\/\d+\/messages\/\d+$/, 5, 5000],
  ['DELETE', /^\/channels\/\d+\/messages\/\d+$/, 5, 1000],
  ['POST', /^\/channels\/\d+\/typing$/, 5, 5000],
  ['*', /^\/channels\/\d+\/messages\/\d+\/reactions\//, 1, 250],
  ['*', /.*/, 50, 1000],
];

export type RateLimitVerdict =
  | { limited: false; headers: Record<string, string> }
  | {
      limited: true;
      status: 429;
      headers: Record<string, string>;
      body: { message: string; retry_after: number; global: boolean; code: 0 };
    };

interface Window {
  resetAt: number;
  used: number;
}

export class DiscordRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly rules: [string, RegExp, number, number][];
  private readonly globalPerSecond: number;
  private global: Window = { resetAt: 0, used: 0 };
  private readonly now: () => number;

  constructor(options: DiscordRateLimitOptions = {}) {
    this.now = options.now ?? Date.now;
    this.rules = options.rules ?? DEFAULT_RULES;
    this.globalPerSecond = options.globalPerSecond ?? 50;
  }

  /** Count one request; say whether it goes ahead, with the headers of its bucket. */
  take(method: string, path: string): RateLimitVerdict | undefined {
    if (/^\/interactions\//.test(path)) return undefined;
    const now = this.now();
    if (now >= this.global.resetAt) this.global = { resetAt: now + 1000, used: 0 };
    if (this.global.used >= this.globalPerSecond) return this.tooMany((this.global.resetAt - now) / 1000, true, {});

    const [, , limit, windowMs] = this.rules.find(([m, pattern]) => (m === '*' || m === method) && pattern.test(path))!;
    const route = `${method} ${majorRoute(path)}`;
    let window = this.windows.get(route);
    if (!window || now >= window.resetAt) this.windows.set(route, (window = { resetAt: now + windowMs, used: 0 }));
    const resetAfter = (window.resetAt - now) / 1000;
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - window.used - 1)),
      'X-RateLimit-Reset': (window.resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': createHash('sha256')
        .update(route.replace(/\d{5,}/g, ''))
        .digest('hex')
        .slice(0, 32),
    };
    if (window.used >= limit) return this.tooMany(resetAfter, false, { ...headers, 'X-RateLimit-Remaining': '0' });
    window.used++;
    this.global.used++;
    return { limited: false, headers };
  }

  private tooMany(seconds: number, global: boolean, headers: Record<string, string>): RateLimitVerdict {
    return {
      limited: true,
      status: 429,
      headers: {
        ...headers,
        'Retry-After': String(Math.max(1, Math.ceil(seconds))),
        'X-RateLimit-Scope': global ? 'global' : 'user',
        ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
      },
      body: { message: 'You are being rate limited.', retry_after: Number(seconds.toFixed(3)), global, code: 0 },
    };
  }
}

/** The route with its major parameter kept and every other id replaced: one bucket per channel, guild or webhook. */
function majorRoute(path: string): string {
  const major = /^\/(channels|guilds|webhooks)\/(\d+)(\/[^/]+)?/.exec(path);
  const rest = path.slice(major?.[0].length ?? 0).replace(/\/\d{5,}/g, '/:id');
  return major ? `${major[0].replace(/^(\/webhooks\/\d+)\/[^/]+$/, '$1/:token')}${rest}` : path.replace(/\/\d{5,}/g, '/:id');
}
