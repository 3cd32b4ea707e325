/**
 * citebot's errors and checks: what went wrong, how to fix it, and whether trying again can help.
 * Adapters and the CLI show `message` (the reason and the fix, one line); doctor and the exit-code
 * table read the fields. Anything that is not a CitebotError is logged and replaced by a generic line.
 */
export type CitebotErrorCode =
  | 'ollama_unavailable'
  | 'model_missing'
  | 'ollama_failed'
  | 'chroma_unavailable'
  | 'index_model_mismatch'
  | 'invalid_settings'
  | 'not_found'
  | 'invalid_input'
  | 'reranker_unavailable'
  | 'platform_rejected'
  | 'platform_unavailable';

export interface CitebotErrorOptions {
  /** What the person should do, e.g. "run `citebot reindex`". */
  fix?: string;
  /** Whether the same call can succeed later without anyone changing anything (a service coming back). */
  retryable?: boolean;
  cause?: unknown;
}

/** Codes whose failures can pass by themselves: a service that is down may come back. */
const RETRYABLE: ReadonlySet<CitebotErrorCode> = new Set([
  'ollama_unavailable',
  'ollama_failed',
  'chroma_unavailable',
  'reranker_unavailable',
  'platform_unavailable',
]);

export class CitebotError extends Error {
  /** What went wrong, without the fix. */
  readonly reason: string;
  readonly fix?: string;
  readonly retryable: boolean;

  constructor(
    readonly code: CitebotErrorCode,
    reason: string,
    options: CitebotErrorOptions = {},
  ) {
    super(options.fix ? `${reason.replace(/[.\s]+$/, '')}. Fix: ${options.fix}` : reason, { cause: options.cause });
    this.name = 'CitebotError';
    this.reason = reason;
    this.fix = options.fix;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }
}

export function isCitebotError(err: unknown, code?: CitebotErrorCode): err is CitebotError {
  return err instanceof CitebotError && (code === undefined || err.code === code);
}

/** One line of `citebot doctor` (and of a platform's own check): a dependency and how it is. */
export interface Check {
  name: string;
  /** `warning`: an optional part is unavailable and citebot works without it. */
  status: 'ok' | 'warning' | 'failed' | 'skipped';
  detail: string;
  fix?: string;
}

/** A failed check from an error: its reason as the detail and its fix, when it has one. */
export function failedCheck(name: string, error: unknown, fallbackFix?: string, status: Check['status'] = 'failed'): Check {
  const fix = isCitebotError(error) ? (error.fix ?? fallbackFix) : fallbackFix;
  const detail = isCitebotError(error) ? oneLine(error.reason) : oneLine(error);
  return { name, status, detail, ...(fix ? { fix } : {}) };
}

/** The first line of an error's message, without a stack: safe to show a user. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? '').trim() || 'unknown error';
}

/** True for the errors Node's fetch raises when nothing listens or the connection drops. */
export function isConnectionError(err: unknown): boolean {
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENOTFOUND',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
  ];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    if (code && codes.includes(code)) return true;
    if (e instanceof TypeError && /fetch failed|terminated/i.test(e.message)) return true;
  }
  return false;
}
