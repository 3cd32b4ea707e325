import { OllamaEmbeddings } from '@langchain/ollama';
import { Ollama } from 'ollama';
import type { Check } from '../errors.js';
import { BatchedEmbeddings, type MappedError } from './batched-embeddings.js';
import { checkOllama } from './ollama-doctor.js';
import { toOllamaError } from './ollama-errors.js';
import { ollamaFetch, ollamaHosts } from './ollama-server.js';

export interface CitebotEmbeddingsOptions {
  model: string;
  /** One Ollama, or several serving the same model (requests are spread over them). */
  baseUrl: string | readonly string[];
  /** Texts per /api/embed request. */
  batchSize?: number;
  /** Requests in flight at once, per host. */
  maxConcurrency?: number;
  /** Retries (exponential backoff) on connection errors and 5xx. */
  maxRetries?: number;
}

/** Ollama's embeddings (/api/embed), over one host or several serving the same model digest. */
export class CitebotEmbeddings extends BatchedEmbeddings {
  readonly provider = 'ollama';
  private readonly fetch: typeof fetch;
  private readonly ollama: OllamaEmbeddings;

  constructor(options: CitebotEmbeddingsOptions) {
    const hosts = ollamaHosts({
      hosts: typeof options.baseUrl === 'string' ? [options.baseUrl] : options.baseUrl,
      sameDigestOf: options.model,
    });
    super({ ...options, hosts });
    this.fetch = ollamaFetch(hosts);
    this.ollama = new OllamaEmbeddings({
      model: options.model,
      baseUrl: hosts.baseUrl,
      fetch: this.fetch,
      truncate: true,
      maxRetries: 0,
      maxConcurrency: Infinity,
    });
  }

  protected embedBatch(texts: string[]): Promise<number[][]> {
    return this.ollama.embedDocuments(texts);
  }

  protected mapError(error: unknown): MappedError {
    return toOllamaError(error, this.model, this.baseUrl);
  }

  /** From /api/show: `<architecture>.embedding_length`. */
  protected async reportedDimension(): Promise<number | undefined> {
    const info = await new Ollama({ host: this.baseUrl, fetch: this.fetch }).show({ model: this.model });
    const modelInfo = (info.model_info ?? {}) as unknown as Record<string, unknown>;
    const reported = modelInfo[`${String(modelInfo['general.architecture'])}.embedding_length`];
    return typeof reported === 'number' ? reported : undefined;
  }

  check(): Promise<Check[]> {
    return checkOllama(this.hosts, 'embedding model', this.model);
  }
}
