import { CitebotError, connectionReason, isConnectionError, isConnectionRefused, oneLine } from '../errors.js';

/** ollama-js raises ResponseError with the HTTP status in `status_code`. */
function statusOf(error: unknown): number | undefined {
  const e = error as { status_code?: unknown; status?: unknown };
  if (typeof e?.status_code === 'number') return e.status_code;
  if (typeof e?.status === 'number') return e.status;
  return undefined;
}

/**
 * Classify an Ollama failure: a dropped connection, a timeout and 5xx are worth retrying now; a
 * refused connection (nothing listens: Ollama is not running) fails fast, as do a missing model and a
 * bad request. `retryable` is about retrying this call now; the error's own `retryable` says whether
 * a later call may succeed (it may, once Ollama is started). The error returned is what a person should read.
 */
export function toOllamaError(error: unknown, model: string, baseUrl: string): { error: Error; retryable: boolean } {
  if (error instanceof CitebotError) return { error, retryable: false };
  const status = statusOf(error);
  const message = oneLine(error);
  if (status === 404 || /not found, try pulling|model .* not found/i.test(message)) {
    return {
      retryable: false,
      error: new CitebotError('model_missing', `Ollama at ${baseUrl} does not have the model "${model}"`, {
        fix: `ollama pull ${model}`,
        cause: error,
      }),
    };
  }
  if (status === 400 && /does not support (embeddings|generate|chat)/i.test(message)) {
    return {
      retryable: false,
      error: new CitebotError('model_missing', `"${model}" cannot do this job (${message})`, {
        fix: `choose another model, e.g. ollama pull nomic-embed-text and EMBED_MODEL=nomic-embed-text`,
        cause: error,
      }),
    };
  }
  if (isConnectionError(error)) {
    return {
      retryable: !isConnectionRefused(error),
      error: new CitebotError('model_unavailable', `Ollama is not reachable at ${baseUrl} (${connectionReason(error)})`, {
        fix: `start it (ollama serve) or set OLLAMA_BASE_URL`,
        cause: error,
      }),
    };
  }
  if (status !== undefined && status >= 500) {
    return { retryable: true, error: new CitebotError('model_failed', `Ollama failed (${status}): ${message}`, { cause: error }) };
  }
  if (status !== undefined) {
    return {
      retryable: false,
      error: new CitebotError('model_failed', `Ollama refused the request (${status}): ${message}`, { cause: error }),
    };
  }
  // Unknown shapes (e.g. a malformed body) are treated as transient once or twice before giving up.
  return { retryable: true, error: new CitebotError('model_failed', `Ollama failed: ${message}`, { cause: error }) };
}

/**
 * A server answers at the address, but not as Ollama does (Ollama answers /api/version with its version
 * in JSON, and every error in JSON): another web server, or a proxy's error page. Retrying cannot help.
 */
export function notOllama(baseUrl: string, answered: string): CitebotError {
  return new CitebotError('model_unavailable', `the server at ${baseUrl} is not Ollama (${answered})`, {
    fix: "set OLLAMA_BASE_URL to Ollama's address, e.g. http://127.0.0.1:11434 (or CHAT_PROVIDER/EMBED_PROVIDER=openai for an OpenAI-compatible server)",
    retryable: false,
  });
}
