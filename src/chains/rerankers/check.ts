/** The reranker line of `citebot doctor`: load the configured reranker once, within a time limit. */
import type { Settings } from '../../config.js';
import { oneLine } from '../../errors.js';
import { createReranker } from './index.js';

export interface RerankerCheck {
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  fix?: string;
}

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
      timer = setTimeout(() => reject(new Error(timeoutMessage(settings, limitMs))), limitMs);
    });
    await Promise.race([reranker.load(), timedOut]);
    return { status: 'ok', detail: `${reranker.name}: loaded and scored a pair in ${Math.round(performance.now() - started)} ms` };
  } catch (err) {
    // Citebot's messages end in ". Fix: …": show the fix on its own.
    const [detail = '', fix] = oneLine(err).split(/\.\s+Fix:\s*/, 2);
    return fix ? { status: 'failed', detail, fix } : { status: 'failed', detail };
  } finally {
    clearTimeout(timer);
  }
}

function timeoutMessage(settings: Settings, limitMs: number): string {
  const seconds = limitMs / 1000;
  if (settings.RERANKER === 'http') {
    return `the reranker at ${settings.RERANK_URL} did not answer within ${seconds} s. Fix: check the server, or set RERANKER=none`;
  }
  const what = settings.RERANK_MODEL_PATH ?? settings.RERANK_MODEL;
  return (
    `the reranker ${what} did not load within ${seconds} s (a first run downloads it into DATA_DIR/models). ` +
    'Fix: run doctor again when the download has finished, or set RERANK_MODEL_PATH to a downloaded copy, or RERANKER=none'
  );
}
