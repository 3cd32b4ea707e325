import { CitebotError, connectionReason, isConnectionError, oneLine } from '../errors.js';
import type { MappedError } from './batched-embeddings.js';

/** What the OpenAI SDK (and LangChain's wrapper of it) puts on a failed request. */
function statusOf(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const status = (e as { status?: unknown }).status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}

export interface OpenAIErrorContext {
  model: string;
  baseUrl: string;
  /** CHAT or EMBED: which settings name the fix. */
  role: 'CHAT' | 'EMBED';
}

/**
 * Classify a failure of an OpenAI-compatible server. A model the server does not serve is one line
 * naming the setting; a path that is not the OpenAI API (404 without a model error) blames the address;
 * a refused key names the key setting; a dropped connection, 429 and 5xx may pass.
 */
export function toOpenAIError(error: unknown, { model, baseUrl, role }: OpenAIErrorContext): MappedError {
  if (error instanceof CitebotError) return { error, retryable: false };
  const status = statusOf(error);
  const message = oneLine(error);
  const server = `the OpenAI-compatible server at ${baseUrl}`;
  if (
    (status === 404 || status === 400) &&
    /model/iu.test(message) &&
    /not exist|not found|no such|unknown|invalid model/iu.test(message)
  ) {
    return {
      retryable: false,
      error: new CitebotError('model_missing', `${server} does not serve the model "${model}" (${message})`, {
        fix: `set ${role}_MODEL to a model GET ${baseUrl}/models lists (citebot doctor shows them), or load ${model} there`,
        cause: error,
      }),
    };
  }
  if (status === 404 || status === 405) {
    return {
      retryable: false,
      error: new CitebotError('model_unavailable', `${server} does not answer the OpenAI API there (${status}: ${message})`, {
        fix: `set ${role}_BASE_URL to the server's OpenAI-compatible address, usually ending in /v1`,
        retryable: false,
        cause: error,
      }),
    };
  }
  if (status === 401 || status === 403) {
    return {
      retryable: false,
      error: new CitebotError('model_failed', `${server} refused the request (${status}): the API key is missing or wrong`, {
        fix: `set ${role}_API_KEY to a key the server accepts`,
        retryable: false,
        cause: error,
      }),
    };
  }
  if (isConnectionError(error) || /Connection error/iu.test(message)) {
    return {
      retryable: true,
      error: new CitebotError('model_unavailable', `${server} is not reachable (${connectionReason(error)})`, {
        fix: `start it, or correct ${role}_BASE_URL`,
        cause: error,
      }),
    };
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return { retryable: true, error: new CitebotError('model_failed', `${server} failed (${status}): ${message}`, { cause: error }) };
  }
  if (status !== undefined) {
    return {
      retryable: false,
      error: new CitebotError('model_failed', `${server} refused the request (${status}): ${message}`, { cause: error }),
    };
  }
  return { retryable: true, error: new CitebotError('model_failed', `${server} failed: ${message}`, { cause: error }) };
}
