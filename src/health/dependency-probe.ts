import { Ollama } from 'ollama';
import type { CitebotCore } from '../core.js';
import { oneLine } from '../errors.js';
import { canonicalModelName } from '../models/embedding-profiles.js';
import type { ProbeRound } from './readiness.js';

/** A probe that gets no answer in this long counts as down: a hung server must not hang the health check. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * One round of readiness checks for `serve`: Ollama's model list (GET /api/tags: answers whether Ollama is
 * up and whether EMBED_MODEL and CHAT_MODEL are pulled, in one request) and Chroma's heartbeat.
 */
export function dependencyProbe(core: CitebotCore): ProbeRound {
  const s = core.settings;
  const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const ollama = new Ollama({ host: s.OLLAMA_BASE_URL, fetch: fetchWithTimeout });
  const model = (wanted: string, pulled: string[] | Error) => {
    if (pulled instanceof Error)
      return {
        ok: false,
        detail: `${wanted}: Ollama is not reachable at ${s.OLLAMA_BASE_URL} (${oneLine(pulled)}); start it (ollama serve)`,
      };
    if (!pulled.includes(canonicalModelName(wanted)))
      return { ok: false, detail: `${wanted} is not pulled at ${s.OLLAMA_BASE_URL}; run: ollama pull ${wanted}` };
    return { ok: true, detail: `${wanted} at ${s.OLLAMA_BASE_URL}` };
  };
  return async () => {
    const [pulled, chroma] = await Promise.all([
      ollama.list().then(
        ({ models }) => models.map((m) => canonicalModelName(m.name)),
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
      withTimeout(core.index.heartbeat(), PROBE_TIMEOUT_MS).then(
        (url) => ({ ok: true, detail: `Chroma at ${url}${s.CHROMA_URL ? '' : ' (embedded)'}` }),
        (error: unknown) => ({ ok: false, detail: oneLine(error) }),
      ),
    ]);
    return { embeddings: model(s.EMBED_MODEL, pulled), chat: model(s.CHAT_MODEL, pulled), chroma };
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
