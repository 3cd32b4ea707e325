/**
 * An error whose message is meant for a person: one line saying what went wrong and how to fix it.
 * Adapters show `message` as is; anything else is logged and replaced by a generic line.
 */
export class CitebotError extends Error {
  constructor(
    readonly code: CitebotErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CitebotError';
  }
}

export type CitebotErrorCode =
  | 'ollama_unavailable'
  | 'model_missing'
  | 'ollama_failed'
  | 'chroma_unavailable'
  | 'index_model_mismatch'
  | 'not_found'
  | 'invalid_input'
  | 'reranker_unavailable';

export function isCitebotError(err: unknown, code?: CitebotErrorCode): err is CitebotError {
  return err instanceof CitebotError && (code === undefined || err.code === code);
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
