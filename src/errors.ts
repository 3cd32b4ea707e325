/**
 * citebot's errors and checks: what went wrong, how to fix it, and whether trying again can help.
 * Adapters and the CLI show `message` (the reason and the fix, one line); doctor and the exit-code
 * table read the fields. Anything that is not a CitebotError is logged and replaced by a generic line.
 */
export type CitebotErrorCode =
  /** The model server (Ollama or an OpenAI-compatible one) does not answer, or is not that kind of server. */
  | 'model_unavailable'
  /** The server answers but has no such model, or the model cannot do the job. */
  | 'model_missing'
  /** The model server answered with an error. */
  | 'model_failed'
  | 'chroma_unavailable'
  | 'index_model_mismatch'
  | 'invalid_settings'
  | 'not_found'
  | 'invalid_input'
  | 'unauthorized'
  | 'rate_limited'
  | 'reranker_unavailable'
  | 'platform_rejected'
  | 'platform_unavailable'
  | 'lease_lost'
  | 'database_unavailable';

export interface CitebotErrorOptions {
  /** What the person should do, e.g. "run `citebot reindex`". */
  fix?: string;
  /** Whether the same call can succeed later without anyone changing anything (a service coming back). */
  retryable?: boolean;
  cause?: unknown;
}

/** Codes whose failures can pass by themselves: a service that is down may come back. */
const RETRYABLE: ReadonlySet<CitebotErrorCode> = new Set([
  'model_unavailable',
  'model_failed',
  'chroma_unavailable',
  'reranker_unavailable',
  'platform_unavailable',
  'database_unavailable',
  'rate_limited',
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

/** A failure of the model server or its model (any provider): callers degrade (keywords only, passages, cloze) instead of failing. */
export function isModelError(err: unknown): err is CitebotError {
  return isCitebotError(err) && ['model_unavailable', 'model_missing', 'model_failed'].includes(err.code);
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

/** Nothing listens there, or the name does not resolve: trying again at once cannot help. */
const REFUSED_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
/** The connection dropped or timed out: a retry may get through. */
const DROPPED_CODES = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];

/** The network error code (ECONNREFUSED, ENOTFOUND, …) somewhere in an error's cause chain. */
export function connectionErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (REFUSED_CODES.includes(code) || DROPPED_CODES.includes(code))) return code;
    // AggregateError (happy eyeballs: IPv4 and IPv6 both refused) carries the codes in `errors`.
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const one of inner as unknown[]) if (connectionErrorCode(one)) return connectionErrorCode(one);
  }
  return undefined;
}

/** True for the errors Node's fetch raises when nothing listens or the connection drops. */
export function isConnectionError(err: unknown): boolean {
  if (connectionErrorCode(err)) return true;
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TypeError && /fetch failed|terminated/i.test(e.message)) return true;
  }
  return false;
}

/** Connection refused or host unknown: the service is not there, so fail fast instead of retrying. */
export function isConnectionRefused(err: unknown): boolean {
  const code = connectionErrorCode(err);
  return code !== undefined && REFUSED_CODES.includes(code);
}

/** The innermost error code of a failed request: "ECONNREFUSED" says more than fetch's "fetch failed". */
export function connectionReason(err: unknown): string {
  let reason = oneLine(err);
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') reason = code;
  }
  return connectionErrorCode(err) ?? reason;
}
