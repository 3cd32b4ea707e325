import { AnswerChain } from './chains/answer-chain.js';
import { createReranker } from './chains/rerankers/index.js';
import type { Reranker } from './chains/rerankers/reranker.js';
import { createRetrievalPipeline } from './chains/retrieval-pipeline.js';
import type { Settings } from './config.js';
import { oneLine } from './errors.js';
import { log } from './log.js';
import { Indexer } from './ingest/indexer.js';
import { DEFAULT_PARSER_WORKERS, ParserPool, pdfImagePixels } from './ingest/parser-pool.js';
import type { LoaderLimits } from './ingest/types.js';
import { createChatModelProvider, createEmbeddingProvider, type ChatModelProvider, type EmbeddingProvider } from './models/index.js';
import { readableScopes } from './scope-grants.js';
import { startEmbeddedChroma, type EmbeddedChroma } from './store/chroma-server.js';
import { DocumentIndex } from './store/document-index.js';
import { JobQueue } from './store/job-queue.js';
import type { StateStore } from './store/ports.js';
import { ProcessLease } from './store/process-lease.js';
import { openPostgresState } from './store/postgres/state.js';
import { openSqliteState } from './store/sqlite/state.js';
import { Lazy } from './util/lazy.js';

const MB = 1024 * 1024;

export function loaderLimits(settings: Settings): LoaderLimits {
  return {
    maxFileBytes: Math.round(settings.MAX_FILE_MB * MB),
    maxPages: settings.MAX_PAGES,
    maxSlides: settings.MAX_SLIDES,
    maxRows: settings.MAX_ROWS,
    timeoutMs: Math.round(settings.FILE_TIMEOUT_S * 1000),
    maxUncompressedBytes: Math.round(settings.MAX_UNCOMPRESSED_MB * MB),
    maxCompressionRatio: settings.MAX_COMPRESSION_RATIO,
    maxParserMemoryMb: settings.PARSER_MEMORY_MB,
    maxPdfImagePixels: pdfImagePixels(settings.INGEST_MEMORY_MB),
    ocr: { enabled: settings.OCR === 'on', languages: settings.OCR_LANGS, pageTimeoutMs: Math.round(settings.OCR_PAGE_TIMEOUT_S * 1000) },
  };
}

/**
 * citebot's core, built once from settings and handed to the CLI and the adapters. It owns every
 * long-lived piece: the database, the index, the parser workers, the embedded Chroma server and the
 * per-scope ingest queue. Services start on first use: listing sources needs only SQLite;
 * forgetting needs Chroma; ingesting and asking also need the model server. A service that fails to start is
 * tried again on the next use, never remembered as failed.
 */
export class CitebotCore {
  /** All of citebot's own state, behind its ports (PostgreSQL at DATABASE_URL, else SQLite under DATA_DIR). Only `src/app` reaches into it. */
  readonly state: StateStore;
  /** This process's lease: the owner id its work in flight is recorded under. */
  readonly lease: ProcessLease;
  /** Documents, chunks and vectors. Reads of the records work at once; Chroma is connected on first need. */
  readonly index: DocumentIndex;
  /** The embedding model (EMBED_PROVIDER) the index embeds with. */
  readonly embeddings: EmbeddingProvider;
  /** The configured reranker (undefined for RERANKER=none); loaded on first use, shared by every question. */
  readonly reranker: Reranker | undefined;
  /** Parser worker threads, shared by every ingest. */
  readonly parsers: ParserPool;
  /** Ingest jobs, durable, one at a time per scope: a file shared during a channel's ingest waits its turn, never dropped. */
  readonly jobs: JobQueue;
  private readonly chroma: Lazy<{ url: string; server?: EmbeddedChroma }>;
  private readonly openedIndex: Lazy<DocumentIndex>;
  private chain?: AnswerChain;
  private recovery?: NodeJS.Timeout;

  constructor(readonly settings: Settings) {
    this.state = settings.DATABASE_URL ? openPostgresState(settings.DATABASE_URL) : openSqliteState(settings.DATA_DIR);
    this.lease = new ProcessLease(this.state.leases, settings.LEASE_TTL_S * 1000);
    this.jobs = new JobQueue(this.state.jobs, this.lease);
    this.chroma = new Lazy(async () =>
      settings.CHROMA_URL
        ? { url: settings.CHROMA_URL }
        : startEmbeddedChroma(settings.DATA_DIR).then((server) => ({ url: server.url, server })),
    );
    this.index = new DocumentIndex({
      records: this.state.documents,
      keywords: this.state.keywords,
      owner: () => this.lease.owner(),
      chromaUrl: () => this.chromaUrl(),
      collectionPrefix: settings.CHROMA_COLLECTION_PREFIX,
      embeddings: (this.embeddings = createEmbeddingProvider(settings)),
      upsertBatchSize: settings.EMBED_BATCH_SIZE,
    });
    this.openedIndex = new Lazy(async () => {
      await this.index.open();
      return this.index;
    });
    this.reranker = createReranker(settings);
    this.chatModels = createChatModelProvider(settings);
    this.parsers = new ParserPool(DEFAULT_PARSER_WORKERS, settings.PARSER_MEMORY_MB, { budgetMb: settings.INGEST_MEMORY_MB });
  }

  /** The scopes a question asked in `scope` may read: its own, plus what SHARED_SCOPES grants it. */
  readableScopes(scope: string): string[] {
    return readableScopes(scope, this.settings.SHARED_SCOPES);
  }

  /** Chroma's URL: CHROMA_URL, or an embedded server started under DATA_DIR on first use. */
  async chromaUrl(): Promise<string> {
    return (await this.chroma.get()).url;
  }

  /** The index ready to read and write: model checked, collection open, crashes recovered. */
  openIndex(): Promise<DocumentIndex> {
    return this.openedIndex.get();
  }

  async indexer(): Promise<Indexer> {
    const s = this.settings;
    return new Indexer(await this.openIndex(), this.parsers, {
      limits: loaderLimits(s),
      chunking: { chunkTokens: s.CHUNK_TOKENS, overlapTokens: s.CHUNK_OVERLAP_TOKENS },
    });
  }

  /**
   * The chat model (CHAT_PROVIDER): streaming, the answer capped to its reserve (plus CHAT_THINK_TOKENS
   * for reasoning), thinking decided from CHAT_THINK and what the server says of the model.
   */
  readonly chatModels: ChatModelProvider;

  /** The answer chain, built once. Chroma and the model server may come and go: each question uses them afresh. */
  answerChain(): AnswerChain {
    const s = this.settings;
    this.chain ??= new AnswerChain({
      retrieval: createRetrievalPipeline(this.index, s, this.reranker),
      chatModel: () => this.chatModels.choose(),
      settings: {
        topN: s.RERANK_TOP_N,
        window: { numCtx: s.CHAT_NUM_CTX, answerReserve: s.ANSWER_RESERVE_TOKENS },
        chatTimeoutMs: Math.round(s.CHAT_TIMEOUT_S * 1000),
      },
    });
    return this.chain;
  }

  /**
   * For a long-running process (serve): resume jobs that dead processes left, and recover their
   * documents and vectors, as their leases expire.
   */
  startBackgroundWork(): void {
    this.jobs.start();
    this.recovery ??= setInterval(() => {
      void this.openedIndex
        .peek()
        ?.then((index) => index.recover())
        .catch((error: unknown) => log.warn(`recovery of interrupted work failed: ${oneLine(error)}; trying again`));
    }, this.lease.ttlMs).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.recovery);
    await this.jobs.close();
    await this.parsers.close();
    const chroma = await this.chroma.peek()?.catch(() => undefined);
    await chroma?.server?.stop();
    await this.lease.release();
    await this.state.close();
  }
}
