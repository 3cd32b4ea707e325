/** The reranker line of `citebot doctor`: load the configured reranker once, within a time limit. */
import type { Settings } from '../../config.js';
import { CitebotError, failedCheck, type Check } from '../../errors.js';
import { createReranker } from './index.js';

export type RerankerCheck = Omit<Check, 'name'>;

/** A first cross-encoder run may download a model of a few hundred MB; a server only has to answer. */
const DEFAULT_LIMIT_MS = { 'cross-encoder': 120_000, http: 20_000 } as const;

export async function checkReranker(settings: Settings, options: { timeoutMs?: number } = {}): Promise<RerankerCheck> {
  if (settings.RERANKER === 'none') return { status: 'skipped', detail: 'RERANKER=none: candidates keep their fusion order' };
  const limitMs = options.timeoutMs ?? DEFAULT_LIMIT_MS[settings.RERANKER];
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const reranker = createReranker(settings)!;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(settings, limitMs)), limitMs);
    });
    await Promise.race([reranker.load(), timedOut]);
    return { status: 'ok', detail: `${reranker.name}: loaded and scored a pair in ${Math.round(performance.now() - started)} ms` };
  } catch (err) {
    const { name: _name, ...check } = failedCheck('reranker', err);
    return check;
  } finally {
    clearTimeout(timer);
  }
}

function timeoutError(settings: Settings, limitMs: number): CitebotError {
  const seconds = limitMs / 1000;
  if (settings.RERANKER === 'http') {
    return new CitebotError('reranker_unavailable', `the reranker at ${settings.RERANK_URL} did not answer within ${seconds} s`, {
      fix: 'check the server, or set RERANKER=none',
    });
  }
  const what = settings.RERANK_MODEL_PATH ?? settings.RERANK_MODEL;
  return new CitebotError(
    'reranker_unavailable',
    `the reranker ${what} did not load within ${seconds} s (a first run downloads it into DATA_DIR/models)`,
    { fix: 'run doctor again when the download has finished, or set RERANK_MODEL_PATH to a downloaded copy, or RERANKER=none' },
  );
}
