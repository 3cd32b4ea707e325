import { OpenAIEmbeddings } from '@langchain/openai';
import type { Check } from '../errors.js';
import { BatchedEmbeddings, type MappedError } from './batched-embeddings.js';
import { NO_KEY } from './openai-chat.js';
import { checkOpenAIHosts } from './openai-doctor.js';
import { toOpenAIError } from './openai-errors.js';
import { openAIHosts } from './openai-server.js';

export interface OpenAIEmbeddingOptions {
  model: string;
  hosts: readonly string[];
  apiKey?: string;
  batchSize?: number;
  maxConcurrency?: number;
  maxRetries?: number;
}

/** Embeddings from an OpenAI-compatible /v1/embeddings (vLLM, llama.cpp, LM Studio, LiteLLM, text-embeddings-inference). */
export class OpenAICompatibleEmbeddings extends BatchedEmbeddings {
  readonly provider = 'openai';
  private readonly client: OpenAIEmbeddings;

  constructor(private readonly options: OpenAIEmbeddingOptions) {
    super({ ...options, hosts: openAIHosts(options.hosts, 'the embedding server') });
    this.client = new OpenAIEmbeddings({
      model: options.model,
      apiKey: options.apiKey ?? NO_KEY,
      configuration: { baseURL: this.hosts.baseUrl, fetch: this.hosts.fetch },
      // Batching, retries and concurrency are BatchedEmbeddings'; newlines matter to the text.
      batchSize: Number.MAX_SAFE_INTEGER,
      stripNewLines: false,
      // Not every server decodes the SDK's default base64.
      encodingFormat: 'float',
      maxRetries: 0,
      maxConcurrency: Infinity,
    });
  }

  protected embedBatch(texts: string[]): Promise<number[][]> {
    return this.client.embedDocuments(texts);
  }

  protected mapError(error: unknown): MappedError {
    return toOpenAIError(error, { model: this.model, baseUrl: this.baseUrl, role: 'EMBED' });
  }

  /** OpenAI's API has no dimension field: one probe embedding says it. */
  protected reportedDimension(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  async check(): Promise<Check[]> {
    const checks = await checkOpenAIHosts(this.hosts, this.options.apiKey, 'embedding model', this.model, 'EMBED');
    // Servers without /models (text-embeddings-inference) are checked by embedding one text.
    if (checks.some((c) => c.name === 'embedding model' && c.status === 'failed')) return checks;
    try {
      const dimension = (await this.embedQuery('citebot doctor')).length;
      return checks.map((c) =>
        c.name === 'embedding model' ? { ...c, status: 'ok', detail: `${this.model} embeds (${dimension} dimensions)` } : c,
      );
    } catch (error) {
      const mapped = this.mapError(error).error;
      return [...checks.filter((c) => c.name !== 'embedding model'), { name: 'embedding model', status: 'failed', detail: mapped.message }];
    }
  }
}
