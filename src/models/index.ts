/**
 * The chat-model and embedding providers CHAT_PROVIDER and EMBED_PROVIDER name, built from settings
 * (as createReranker builds the reranker). Embeddings and chat may use different providers and hosts.
 */
import type { Settings } from '../config.js';
import { ChatModels } from './chat-models.js';
import { CitebotEmbeddings } from './embeddings.js';
import { OpenAIChatModels } from './openai-chat.js';
import { OpenAICompatibleEmbeddings } from './openai-embeddings.js';
import type { ChatModelProvider, EmbeddingProvider } from './provider.js';

export type { ChatModelChoice, ChatModelProvider, EmbeddingProvider, ProviderName } from './provider.js';

/** CHAT_BASE_URL / EMBED_BASE_URL, else (for Ollama) OLLAMA_BASE_URL. */
function hostsFor(settings: Settings, role: 'CHAT' | 'EMBED'): string[] {
  const own = settings[`${role}_BASE_URL`];
  if (own.length) return settings[`${role}_PROVIDER`] === 'openai' ? own.map(withV1) : own;
  return settings.OLLAMA_BASE_URL;
}

/** OpenAI-compatible servers answer under /v1: an address without a path gets it. */
function withV1(host: string): string {
  return ['', '/'].includes(new URL(host).pathname) ? `${host.replace(/\/$/u, '')}/v1` : host;
}

export function createChatModelProvider(settings: Settings): ChatModelProvider {
  const common = {
    model: settings.CHAT_MODEL,
    numCtx: settings.CHAT_NUM_CTX,
    answerTokens: settings.ANSWER_RESERVE_TOKENS,
    think: settings.CHAT_THINK,
    thinkTokens: settings.CHAT_THINK_TOKENS,
    lookupTimeoutMs: Math.round(settings.CHAT_TIMEOUT_S * 1000),
  };
  return settings.CHAT_PROVIDER === 'openai'
    ? new OpenAIChatModels({ ...common, hosts: hostsFor(settings, 'CHAT'), apiKey: settings.CHAT_API_KEY })
    : new ChatModels({ ...common, baseUrl: hostsFor(settings, 'CHAT') });
}

export function createEmbeddingProvider(settings: Settings): EmbeddingProvider {
  const common = {
    model: settings.EMBED_MODEL,
    batchSize: settings.EMBED_BATCH_SIZE,
    maxConcurrency: settings.EMBED_CONCURRENCY,
    maxRetries: settings.EMBED_MAX_RETRIES,
  };
  return settings.EMBED_PROVIDER === 'openai'
    ? new OpenAICompatibleEmbeddings({ ...common, hosts: hostsFor(settings, 'EMBED'), apiKey: settings.EMBED_API_KEY })
    : new CitebotEmbeddings({ ...common, baseUrl: hostsFor(settings, 'EMBED') });
}
