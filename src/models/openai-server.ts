/**
 * An OpenAI-compatible server (vLLM, llama.cpp's llama-server, LM Studio, LiteLLM, text-embeddings-inference):
 * its hosts behind a HostPool, and what GET /models says of the models it serves.
 */
import { HostPool } from './host-pool.js';

const MODELS_TIMEOUT_MS = 5000;

/** One entry of GET /models, with the fields servers add to OpenAI's. */
export interface ServedModel {
  id: string;
  /** vLLM: the context window it serves the model with. */
  max_model_len?: number;
  /** LM Studio (api/v0), OpenRouter, some LiteLLM setups. */
  context_length?: number;
  max_context_length?: number;
  /** llama.cpp: the model's metadata; n_ctx_train is what it was trained with. */
  meta?: { n_ctx_train?: number };
}

export function openAIHosts(hosts: readonly string[], label: string): HostPool {
  return new HostPool({ hosts, label });
}

/** The models the server at `baseUrl` lists (GET {baseUrl}/models); throws when it lists none or cannot. */
export async function servedModels(
  baseUrl: string,
  apiKey: string | undefined,
  fetch: typeof globalThis.fetch = globalThis.fetch,
): Promise<ServedModel[]> {
  const response = await fetch(`${baseUrl}/models`, {
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    signal: AbortSignal.timeout(MODELS_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`GET ${new URL(`${baseUrl}/models`).pathname} answered ${response.status}`);
  const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined;
  if (!Array.isArray(body?.data)) throw new Error(`GET ${new URL(`${baseUrl}/models`).pathname} did not answer with a model list`);
  return (body.data as ServedModel[]).filter((m) => typeof m?.id === 'string');
}

/** The context window a server says it serves the model with; undefined when it does not say. */
export function servedContextLength(model: ServedModel | undefined): number | undefined {
  const stated = model?.max_model_len ?? model?.context_length ?? model?.max_context_length;
  return typeof stated === 'number' && stated > 0 ? stated : undefined;
}
