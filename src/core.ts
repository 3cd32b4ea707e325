import { join } from 'node:path';
import { AnswerChain } from './chains/answer-chain.js';
import { createReranker } from './chains/rerankers/index.js';
import type { Reranker } from './chains/rerankers/reranker.js';
import { createRetrievalPipeline } from './chains/retrieval-pipeline.js';
import type { Settings } from './config.js';
import { Indexer } from './ingest/indexer.js';
import { DEFAULT_PARSER_WORKERS, ParserPool } from './ingest/parser-pool.js';
import type { LoaderLimits } from './ingest/types.js';
import { createChatModelProvider, createEmbeddingProvider, type ChatModelProvider, type EmbeddingProvider } from './models/index.js';
import { readableScopes } from './scope-grants.js';
import { startEmbeddedChroma, type EmbeddedChroma } from './store/chroma-server.js';
import { ConversationStore } from './store/conversation-store.js';
import { openDatabase, type Db } from './store/database.js';
import { DocumentIndex } from './store/document-index.js';
import { MessageStore } from './store/message-store.js';
import { Lazy } from './util/lazy.js';
import { WorkQueue } from './util/work-queue.js';

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
  /** Documents, chunks and vectors. SQLite reads work at once; Chroma is connected on first need. */
  readonly index: DocumentIndex;
  /** The embedding model (EMBED_PROVIDER) the index embeds with. */
  readonly embeddings: EmbeddingProvider;
  /** Answers posted in chat, their feedback, and per-channel settings. */
  readonly conversations: ConversationStore;
  /** Messages of the channels whose conversation is indexed, and each channel's cursor. */
  readonly messages: MessageStore;
  /** The configured reranker (undefined for RERANKER=none); loaded on first use, shared by every question. */
  readonly reranker: Reranker | undefined;
  /** Parser worker threads, shared by every ingest. */
  readonly parsers: ParserPool;
  /** Ingest work, one run at a time per scope: a file shared during a channel's ingest waits its turn, never dropped. */
  readonly ingestQueue = new WorkQueue();
  private readonly db: Db;
  private readonly chroma: Lazy<{ url: string; server?: EmbeddedChroma }>;
  private readonly openedIndex: Lazy<DocumentIndex>;
  private chain?: AnswerChain;

  constructor(readonly settings: Settings) {
    this.db = openDatabase(join(settings.DATA_DIR, 'citebot.sqlite'));
    this.conversations = new ConversationStore(this.db);
    this.messages = new MessageStore(this.db);
    this.chroma = new Lazy(async () =>
      settings.CHROMA_URL
        ? { url: settings.CHROMA_URL }
        : startEmbeddedChroma(settings.DATA_DIR).then((server) => ({ url: server.url, server })),
    );
    this.index = new DocumentIndex({
      db: this.db,
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
    this.parsers = new ParserPool(DEFAULT_PARSER_WORKERS, settings.PARSER_MEMORY_MB);
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

  async close(): Promise<void> {
    await this.index.close();
    await this.parsers.close();
    const chroma = await this.chroma.peek()?.catch(() => undefined);
    await chroma?.server?.stop();
    if (this.db.open) this.db.close();
  }
}
