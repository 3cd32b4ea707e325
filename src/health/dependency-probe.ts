import type { CitebotCore } from '../core.js';
import { oneLine, type Check } from '../errors.js';
import type { ProbeRound } from './readiness.js';

/** A probe that gets no answer in this long counts as down: a hung server must not hang the health check. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * One round of readiness checks for `serve`: each model provider's own check (is its server up, does it
 * serve the model: for Ollama one /api/tags per host) and Chroma's heartbeat. No provider is named here.
 */
export function dependencyProbe(core: CitebotCore): ProbeRound {
  const s = core.settings;
  const model = (checks: Promise<Check[]>) =>
    withTimeout(checks, PROBE_TIMEOUT_MS).then(
      (lines) => {
        const failed = lines.filter((c) => c.status === 'failed');
        const shown = failed.length ? failed : lines;
        const detail = shown.map((c) => `${c.detail}${c.fix ? ` (fix: ${c.fix})` : ''}`).join('; ');
        return { ok: failed.length === 0, detail };
      },
      (error: unknown) => ({ ok: false, detail: oneLine(error) }),
    );
  return async () => {
    const [embeddings, chat, chroma] = await Promise.all([
      model(core.embeddings.check()),
      model(core.chatModels.check()),
      withTimeout(core.index.heartbeat(), PROBE_TIMEOUT_MS).then(
        (url) => ({ ok: true, detail: `Chroma at ${url}${s.CHROMA_URL ? '' : ' (embedded)'}` }),
        (error: unknown) => ({ ok: false, detail: oneLine(error) }),
      ),
    ]);
    return { embeddings, chat, chroma };
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
