/**
 * How citebot reaches Ollama: one or more hosts (OLLAMA_BASE_URL may list several) behind a HostPool.
 * Each host is checked before its first request: it must answer /api/version as Ollama does (so another
 * web server at the address is told apart at once, not after a minute of retries), and embedding hosts
 * must serve the same model digest (vectors from different weights are not comparable).
 */
import { CitebotError } from '../errors.js';
import { canonicalModelName } from './embedding-profiles.js';
import { HostPool } from './host-pool.js';
import { notOllama } from './ollama-errors.js';

const CHECK_TIMEOUT_MS = 10_000;

export interface OllamaHostsOptions {
  hosts: readonly string[];
  /** The model every host must serve with one digest (embeddings), or undefined (chat: any host will do). */
  sameDigestOf?: string;
}

/** A fetch that gives up after `ms` as a dropped connection would (so the pool tries another host). */
async function fetchWithin(fetch: typeof globalThis.fetch, url: string, ms: number): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(ms) });
  } catch (error) {
    if ((error as Error)?.name !== 'TimeoutError') throw error;
    throw Object.assign(new Error(`no answer within ${ms / 1000} s`), { code: 'ETIMEDOUT', cause: error });
  }
}

const describe = (response: Response) =>
  `${response.status} ${response.headers.get('content-type')?.split(';')[0] ?? 'without a content type'}`;

async function ollamaVersion(host: string, fetch: typeof globalThis.fetch): Promise<string> {
  const response = await fetchWithin(fetch, `${host}/api/version`, CHECK_TIMEOUT_MS);
  const body = await response.text();
  let version: unknown;
  try {
    version = (JSON.parse(body) as { version?: unknown }).version;
  } catch {
    // not JSON: not Ollama
  }
  if (!response.ok || typeof version !== 'string') throw notOllama(host, `GET /api/version answered ${describe(response)}`);
  return version;
}

/** The model's digest on a host (/api/tags), undefined when the host does not have it. */
async function modelDigest(host: string, model: string, fetch: typeof globalThis.fetch): Promise<string | undefined> {
  const response = await fetchWithin(fetch, `${host}/api/tags`, CHECK_TIMEOUT_MS);
  if (!response.ok) throw notOllama(host, `GET /api/tags answered ${describe(response)}`);
  const { models = [] } = (await response.json()) as { models?: { name?: string; model?: string; digest?: string }[] };
  const wanted = canonicalModelName(model);
  return models.find((m) => canonicalModelName(m.name ?? m.model ?? '') === wanted)?.digest;
}

/** The pool over Ollama's hosts, each admitted by the checks above. */
export function ollamaHosts(options: OllamaHostsOptions): HostPool {
  const model = options.sameDigestOf;
  let reference: { host: string; digest: string } | undefined;
  return new HostPool({
    hosts: options.hosts,
    label: 'Ollama',
    admit: async (host, fetch) => {
      await ollamaVersion(host, fetch);
      // One host has nothing to compare with: a missing model shows on the first request, with its fix.
      if (!model || options.hosts.length < 2) return;
      const digest = await modelDigest(host, model, fetch);
      if (!digest) {
        throw new CitebotError('model_missing', `Ollama at ${host} does not have the model "${model}"`, {
          fix: `ollama pull ${model} there`,
        });
      }
      reference ??= { host, digest };
      if (digest !== reference.digest) {
        throw new CitebotError(
          'model_missing',
          `Ollama at ${host} serves ${model} with digest ${digest.slice(0, 12)}, but ${reference.host} serves ${reference.digest.slice(0, 12)}: their vectors are not comparable`,
          { fix: `ollama pull ${model} on every host (the same version), or remove ${host} from OLLAMA_BASE_URL`, retryable: false },
        );
      }
    },
  });
}

/**
 * The fetch ollama-js is given. ollama-js prints "Getting text from response" on stdout for any error
 * that is not JSON (which would break `ask --json`); Ollama's own errors are JSON, so such an answer comes
 * from something else: a 4xx is "not Ollama" at once, a 5xx (a proxy whose Ollama is down) is passed on as
 * a JSON error with the same status, to be retried.
 */
export function ollamaFetch(pool: HostPool): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await pool.fetch(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (response.ok || /json/iu.test(type)) return response;
    const text = await response.text().catch(() => '');
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const answered = `${init?.method ?? 'GET'} ${url.pathname} answered ${describe(response)}`;
    if (response.status < 500) throw notOllama(pool.baseUrl, answered);
    const gist = text
      .replace(/<[^>]*>/gu, ' ')
      .replace(/\s+/gu, ' ')
      .trim()
      .slice(0, 120);
    return new Response(JSON.stringify({ error: `${answered}${gist ? `: ${gist}` : ''}` }), {
      status: response.status,
      headers: { 'content-type': 'application/json' },
    });
  };
}
