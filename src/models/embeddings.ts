import { Embeddings } from '@langchain/core/embeddings';
import { AsyncCaller } from '@langchain/core/utils/async_caller';
import { OllamaEmbeddings } from '@langchain/ollama';
import { Ollama } from 'ollama';
import { embeddingProfile, type EmbeddingProfile } from './embedding-profiles.js';
import { toOllamaError } from './ollama-errors.js';

export interface CitebotEmbeddingsOptions {
  model: string;
  baseUrl: string;
  /** Texts per /api/embed request. */
  batchSize?: number;
  /** Requests in flight at once. */
  maxConcurrency?: number;
  /** Retries (exponential backoff) on connection errors and 5xx. */
  maxRetries?: number;
}

/**
 * Ollama embeddings the way retrieval needs them: the model's document/query prefixes applied,
 * inputs batched, requests bounded in number, transient failures retried with backoff, and
 * permanent ones (model not pulled) turned into one line that says the fix.
 */
export class CitebotEmbeddings extends Embeddings {
  readonly model: string;
  readonly baseUrl: string;
  readonly profile: EmbeddingProfile;
  private readonly batchSize: number;
  private readonly ollama: OllamaEmbeddings;
  private readonly retrying: AsyncCaller;
  private dimension?: number;

  constructor(options: CitebotEmbeddingsOptions) {
    super({ maxConcurrency: options.maxConcurrency ?? 2, maxRetries: 0 });
    this.model = options.model;
    this.baseUrl = options.baseUrl;
    this.profile = embeddingProfile(options.model);
    this.batchSize = options.batchSize ?? 64;
    // Retries live in our caller so we decide what is transient; the inner client makes one attempt.
    this.ollama = new OllamaEmbeddings({
      model: options.model,
      baseUrl: options.baseUrl,
      truncate: true,
      maxRetries: 0,
      maxConcurrency: Infinity,
    });
    this.retrying = new AsyncCaller({
      maxConcurrency: options.maxConcurrency ?? 2,
      maxRetries: options.maxRetries ?? 4,
      onFailedAttempt: (error: unknown) => {
        const mapped = toOllamaError(error, this.model, this.baseUrl);
        if (!mapped.retryable) throw mapped.error;
      },
    });
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embedBatched(texts.map((t) => this.profile.document + t));
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedBatched([this.profile.query + text]);
    return vector!;
  }

  /** The vector size, from /api/show when Ollama reports it, otherwise from one embedding. */
  async getDimension(): Promise<number> {
    if (this.dimension) return this.dimension;
    try {
      const info = await new Ollama({ host: this.baseUrl }).show({ model: this.model });
      const modelInfo = (info.model_info ?? {}) as unknown as Record<string, unknown>;
      const arch = modelInfo['general.architecture'];
      const reported = modelInfo[`${String(arch)}.embedding_length`];
      if (typeof reported === 'number' && reported > 0) return (this.dimension = reported);
    } catch (error) {
      const mapped = toOllamaError(error, this.model, this.baseUrl);
      if (!mapped.retryable) throw mapped.error;
    }
    const [probe] = await this.embedBatched(['dimension probe']);
    return (this.dimension = probe!.length);
  }

  private async embedBatched(texts: string[]): Promise<number[][]> {
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) batches.push(texts.slice(i, i + this.batchSize));
    try {
      const results = await Promise.all(batches.map((batch) => this.retrying.call(() => this.ollama.embedDocuments(batch))));
      const vectors = results.flat();
      if (vectors.length !== texts.length) {
        throw new Error(`Ollama returned ${vectors.length} embeddings for ${texts.length} texts`);
      }
      if (vectors[0]) this.dimension ??= vectors[0].length;
      return vectors;
    } catch (error) {
      throw toOllamaError(error, this.model, this.baseUrl).error;
    }
  }
}
