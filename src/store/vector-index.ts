import { Chroma } from '@langchain/community/vectorstores/chroma';
import type { Document } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { ChromaClient, type Collection } from 'chromadb';
import { CitebotError, isConnectionError, oneLine } from '../errors.js';
import { canonicalModelName } from '../models/embedding-profiles.js';
import { flatMetadata, type StoredChunk } from './chunk.js';

/** Chroma collection names allow [a-zA-Z0-9._-], 3–512 characters, starting and ending alphanumeric. */
export function collectionNameFor(prefix: string, model: string): string {
  const slug = canonicalModelName(model)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `${prefix}-${slug || 'model'}`;
}

export function chromaUnavailable(url: string, error: unknown): CitebotError {
  // chromadb's own text for a refused connection is a paragraph about browsers and CORS; say what happened instead.
  const detail =
    /ChromaConnectionError/.test(String((error as Error)?.name)) || isConnectionError(error) ? 'nothing answers there' : oneLine(error);
  return new CitebotError('chroma_unavailable', `Chroma is not reachable at ${url}: ${detail}`, {
    fix: `start Chroma, or unset CHROMA_URL to use the embedded server`,
    cause: error,
  });
}

/** A server answers at CHROMA_URL, but not Chroma's API (every path is "not found"). */
export function notChroma(url: string, error: unknown): CitebotError {
  return new CitebotError('chroma_unavailable', `the server at ${url} is not Chroma (it does not know Chroma's API)`, {
    fix: 'set CHROMA_URL to the Chroma server, e.g. http://127.0.0.1:8000, or unset it to use the embedded server',
    retryable: false,
    cause: error,
  });
}

/** Chroma's own words for vectors of another size than its collection holds. */
const DIMENSION_MISMATCH = /expecting embedding with dimension of (\d+), got (\d+)/i;

/**
 * The dense side of the index: one Chroma collection per embedding model (cosine space), which
 * records the model and its dimension so a query can never be compared with vectors from another model.
 * Retrieval goes through LangChain's Chroma vector store (`vectorStore`).
 */
export class VectorIndex {
  readonly client: ChromaClient;
  readonly collectionName: string;
  private collection?: Collection;
  private store?: Chroma;
  private dimension?: number;

  constructor(
    readonly url: string,
    private readonly prefix: string,
    readonly model: string,
    private readonly embeddings: EmbeddingsInterface,
  ) {
    const parsed = new URL(url);
    this.client = new ChromaClient({
      host: parsed.hostname,
      port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      ssl: parsed.protocol === 'https:',
    });
    this.collectionName = collectionNameFor(prefix, model);
  }

  /** Wrap Chroma calls so a dead server, a server that is not Chroma, or vectors of the wrong size become one line with the fix. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CitebotError) throw error;
      const text = String((error as Error)?.name) + ' ' + oneLine(error);
      if (isConnectionError(error) || /ECONNREFUSED|fetch failed|Failed to connect|ChromaConnectionError/i.test(text)) {
        throw chromaUnavailable(this.url, error);
      }
      const sizes = DIMENSION_MISMATCH.exec(text);
      if (sizes) {
        throw new CitebotError(
          'index_model_mismatch',
          `Chroma collection ${this.collectionName} holds ${sizes[1]}-dimension vectors but ${this.model} returns ${sizes[2]}`,
          { fix: 'citebot reindex (re-embeds the stored chunks with EMBED_MODEL), or set EMBED_MODEL back', cause: error },
        );
      }
      if (/ChromaNotFoundError/.test(text) && !(await this.answersLikeChroma())) throw notChroma(this.url, error);
      throw error;
    }
  }

  /** Whether the server at `url` has Chroma's heartbeat (a missing collection is also "not found"). */
  private async answersLikeChroma(): Promise<boolean> {
    return this.client.heartbeat().then(
      () => true,
      (error: unknown) => !/ChromaNotFoundError/.test(String((error as Error)?.name)),
    );
  }

  async heartbeat(): Promise<void> {
    await this.guard(() => this.client.heartbeat());
  }

  /** Open (or create) this model's collection, checking it was built by the same model and dimension. */
  async open(dimension: number): Promise<Collection> {
    if (this.collection) return this.collection;
    return this.guard(async () => {
      const collection = await this.client.getOrCreateCollection({
        name: this.collectionName,
        embeddingFunction: null,
        metadata: { 'hnsw:space': 'cosine', embedModel: canonicalModelName(this.model), dimension },
      });
      const meta = collection.metadata ?? {};
      if (meta.embedModel !== undefined && meta.embedModel !== canonicalModelName(this.model)) {
        throw new CitebotError(
          'index_model_mismatch',
          `Chroma collection ${this.collectionName} was built with ${String(meta.embedModel)}, not ${this.model}`,
          { fix: `citebot reindex (or change CHROMA_COLLECTION_PREFIX)` },
        );
      }
      if (meta.dimension !== undefined && meta.dimension !== dimension) {
        throw new CitebotError(
          'index_model_mismatch',
          `Chroma collection ${this.collectionName} holds ${String(meta.dimension)}-dimension vectors but ${this.model} now returns ${dimension}`,
          { fix: `citebot reindex` },
        );
      }
      this.collection = collection;
      this.dimension = dimension;
      this.store = new Chroma(this.embeddings, { index: this.client, collectionName: this.collectionName, numDimensions: dimension });
      this.store.collection = collection;
      return collection;
    });
  }

  get isOpen(): boolean {
    return this.collection !== undefined;
  }

  /** The dimension recorded by this model's collection, or undefined when it does not exist yet. */
  async existingDimension(): Promise<number | undefined> {
    const dimension = (await this.metadata())?.dimension;
    return typeof dimension === 'number' ? dimension : undefined;
  }

  /** What this model's collection records about itself (model, dimension, space), or undefined when it does not exist yet. */
  async metadata(): Promise<Record<string, unknown> | undefined> {
    if (!(await this.collectionNames()).includes(this.collectionName)) return undefined;
    const collection = await this.guard(() => this.client.getCollection({ name: this.collectionName, embeddingFunction: undefined }));
    return { ...(collection.metadata ?? {}) };
  }

  /** LangChain's vector store over this collection, for retrieval. Call `open` first. */
  get vectorStore(): Chroma {
    if (!this.store) throw new Error('VectorIndex.open() must be called before vectorStore');
    return this.store;
  }

  /** Nearest chunks to a query vector within a metadata filter: [document, cosine distance] pairs. */
  async search(vector: number[], k: number, filter?: Record<string, unknown>): Promise<[Document, number][]> {
    return this.guard(() => this.vectorStore.similaritySearchVectorWithScore(vector, k, filter as Chroma['FilterType'] | undefined));
  }

  async maxBatchSize(): Promise<number> {
    return this.guard(() => this.client.getMaxBatchSize());
  }

  async upsert(chunks: StoredChunk[], vectors: number[][]): Promise<void> {
    if (chunks.length === 0) return;
    const collection = this.requireOpen();
    // The dimension comes from the collection's metadata, not from the model: a model that changed under its name shows here.
    const returned = vectors[0]?.length;
    if (returned !== this.dimension) {
      throw new CitebotError(
        'index_model_mismatch',
        `Chroma collection ${this.collectionName} holds ${String(this.dimension)}-dimension vectors but ${this.model} now returns ${String(returned)}. Fix: citebot reindex`,
      );
    }
    await this.guard(() =>
      collection.upsert({
        ids: chunks.map((c) => c.id),
        embeddings: vectors,
        documents: chunks.map((c) => c.text),
        metadatas: chunks.map((c) => flatMetadata(c.metadata)),
      }),
    );
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const collection = this.requireOpen();
    await this.guard(() => collection.delete({ ids }));
  }

  /** Delete ids from every citebot collection with our prefix (every model's index). */
  async deleteEverywhere(ids: string[], collectionNames?: string[]): Promise<void> {
    if (ids.length === 0) return;
    const names = collectionNames ?? (await this.collectionNames());
    for (const name of names) {
      await this.guard(async () => {
        const collection = await this.client.getCollection({ name, embeddingFunction: undefined });
        await collection.delete({ ids });
      });
    }
  }

  /** Names of all collections that belong to this citebot (same prefix). */
  async collectionNames(): Promise<string[]> {
    return this.guard(async () => {
      const names: string[] = [];
      for (let offset = 0; ; offset += 100) {
        const page = await this.client.listCollections({ limit: 100, offset });
        names.push(...page.map((c) => c.name).filter((n) => n.startsWith(`${this.prefix}-`)));
        if (page.length < 100) return names;
      }
    });
  }

  async count(): Promise<number> {
    return this.guard(() => this.requireOpen().count());
  }

  /** Ids present in the collection for a document (used by tests and consistency checks). */
  async idsWhere(where: Record<string, string | number | boolean>): Promise<string[]> {
    const collection = this.requireOpen();
    return this.guard(async () => (await collection.get({ where, include: [] })).ids);
  }

  /** Drop and recreate this model's collection (for reindex). */
  async recreate(dimension: number): Promise<void> {
    await this.guard(async () => {
      const exists = (await this.collectionNames()).includes(this.collectionName);
      if (exists) await this.client.deleteCollection({ name: this.collectionName });
    });
    this.collection = undefined;
    this.store = undefined;
    this.dimension = undefined;
    await this.open(dimension);
  }

  private requireOpen(): Collection {
    if (!this.collection) throw new Error('VectorIndex.open() must be called first');
    return this.collection;
  }
}
