import { Embeddings } from '@langchain/core/embeddings';
import { AsyncCaller } from '@langchain/core/utils/async_caller';
import type { Check } from '../errors.js';
import { embeddingProfile, type EmbeddingProfile } from './embedding-profiles.js';
import type { HostPool } from './host-pool.js';
import type { EmbeddingProvider, ProviderName } from './provider.js';

export interface BatchedEmbeddingsOptions {
  model: string;
  hosts: HostPool;
  /** Texts per request. */
  batchSize?: number;
  /** Requests in flight at once, per host. */
  maxConcurrency?: number;
  /** Retries (exponential backoff) on connection errors and 5xx. */
  maxRetries?: number;
}

/** A provider's failure: the error a person should read, and whether trying the same call again now may help. */
export interface MappedError {
  error: Error;
  retryable: boolean;
}

/**
 * Embeddings the way retrieval needs them, whoever serves them: the model's document/query prefixes
 * applied, inputs batched, requests bounded in number (per host), transient failures retried with
 * backoff, and permanent ones (model missing) turned into one line that says the fix. A provider
 * supplies one request (`embedBatch`), its error mapping and what the server says of the dimension.
 */
export abstract class BatchedEmbeddings extends Embeddings implements EmbeddingProvider {
  abstract readonly provider: ProviderName;
  readonly model: string;
  readonly hosts: HostPool;
  readonly profile: EmbeddingProfile;
  private readonly batchSize: number;
  private readonly retrying: AsyncCaller;
  private dimension?: number;

  constructor(options: BatchedEmbeddingsOptions) {
    const concurrency = (options.maxConcurrency ?? 2) * options.hosts.size;
    super({ maxConcurrency: concurrency, maxRetries: 0 });
    this.model = options.model;
    this.hosts = options.hosts;
    this.profile = embeddingProfile(options.model);
    this.batchSize = options.batchSize ?? 64;
    // Retries live in our caller so we decide what is transient; the inner client makes one attempt.
    this.retrying = new AsyncCaller({
      maxConcurrency: concurrency,
      maxRetries: options.maxRetries ?? 4,
      onFailedAttempt: (error: unknown) => {
        const mapped = this.mapError(error);
        if (!mapped.retryable) throw mapped.error;
      },
    });
  }

  get baseUrl(): string {
    return this.hosts.baseUrl;
  }

  /** One request: the vectors of `texts`, in order. */
  protected abstract embedBatch(texts: string[]): Promise<number[][]>;
  protected abstract mapError(error: unknown): MappedError;
  /** The vector size the server reports for the model, when it reports one (throws what mapError maps). */
  protected abstract reportedDimension(): Promise<number | undefined>;
  abstract check(): Promise<Check[]>;

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embedBatched(texts.map((t) => this.profile.document + t));
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedBatched([this.profile.query + text]);
    return vector!;
  }

  /** The vector size, from the server when it reports it, otherwise from one embedding. */
  async getDimension(): Promise<number> {
    if (this.dimension) return this.dimension;
    try {
      const reported = await this.reportedDimension();
      if (reported && reported > 0) return (this.dimension = reported);
    } catch (error) {
      const mapped = this.mapError(error);
      if (!mapped.retryable) throw mapped.error;
    }
    const [probe] = await this.embedBatched(['dimension probe']);
    return (this.dimension = probe!.length);
  }

  private async embedBatched(texts: string[]): Promise<number[][]> {
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) batches.push(texts.slice(i, i + this.batchSize));
    try {
      const results = await Promise.all(batches.map((batch) => this.retrying.call(() => this.embedBatch(batch))));
      const vectors = results.flat();
      if (vectors.length !== texts.length) {
        throw new Error(`the embedding server returned ${vectors.length} embeddings for ${texts.length} texts`);
      }
      if (vectors[0]) this.dimension ??= vectors[0].length;
      return vectors;
    } catch (error) {
      throw this.mapError(error).error;
    }
  }
}
