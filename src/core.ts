import { ChatOllama } from '@langchain/ollama';
import { join } from 'node:path';
import { AnswerChain } from './chains/answer-chain.js';
import { createReranker, rerankCompressors } from './chains/rerankers/index.js';
import type { Reranker } from './chains/rerankers/reranker.js';
import { redactSecrets, type Settings } from './config.js';
import { Indexer } from './ingest/indexer.js';
import type { LoaderLimits } from './ingest/types.js';
import { configureLog } from './log.js';
import { CitebotEmbeddings } from './models/embeddings.js';
import { startEmbeddedChroma, type EmbeddedChroma } from './store/chroma-server.js';
import { openDatabase, type Db } from './store/database.js';
import { DocumentIndex } from './store/document-index.js';
import { ConversationStore } from './store/conversation-store.js';
import { Ledger } from './store/ledger.js';
import { readableScopes } from './scope-grants.js';
import { VectorIndex } from './store/vector-index.js';

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
 * citebot's core, built once from settings and handed to the CLI and the adapters.
 * Pieces start on first use: listing sources needs only SQLite; forgetting needs Chroma;
 * ingesting and asking also need Ollama.
 */
export class CitebotCore {
  readonly db: Db;
  readonly ledger: Ledger;
  /** Answers posted in chat, their feedback, and per-channel settings. */
  readonly conversations: ConversationStore;
  readonly embeddings: CitebotEmbeddings;
  private chroma?: Promise<{ url: string; server?: EmbeddedChroma }>;
  private documentIndex?: Promise<DocumentIndex>;
  private openedIndex?: Promise<DocumentIndex>;
  private chain?: Promise<AnswerChain>;
  /** The configured reranker (undefined for RERANKER=none); loaded on first use, shared by every question. */
  readonly reranker: Reranker | undefined;

  constructor(readonly settings: Settings) {
    configureLog({ level: settings.LOG_LEVEL, redact: (line) => redactSecrets(line, settings) });
    this.db = openDatabase(join(settings.DATA_DIR, 'citebot.sqlite'));
    this.ledger = new Ledger(this.db);
    this.conversations = new ConversationStore(this.db);
    this.embeddings = new CitebotEmbeddings({
      model: settings.EMBED_MODEL,
      baseUrl: settings.OLLAMA_BASE_URL,
      batchSize: settings.EMBED_BATCH_SIZE,
      maxConcurrency: settings.EMBED_CONCURRENCY,
      maxRetries: settings.EMBED_MAX_RETRIES,
    });
    this.reranker = createReranker(settings);
  }

  /** The scopes a question asked in `scope` may read: its own, plus what SHARED_SCOPES grants it. */
  readableScopes(scope: string): string[] {
    return readableScopes(scope, this.settings.SHARED_SCOPES);
  }

  /** Chroma's URL: CHROMA_URL, or an embedded server started under DATA_DIR on first use. */
  chromaUrl(): Promise<string> {
    this.chroma ??= this.settings.CHROMA_URL
      ? Promise.resolve({ url: this.settings.CHROMA_URL })
      : startEmbeddedChroma(this.settings.DATA_DIR).then((server) => ({ url: server.url, server }));
    return this.chroma.then((c) => c.url);
  }

  /** The index, connected to Chroma but not yet checked against Ollama (enough to forget documents). */
  index(): Promise<DocumentIndex> {
    this.documentIndex ??= this.chromaUrl().then(
      (url) =>
        new DocumentIndex(
          this.db,
          new VectorIndex(url, this.settings.CHROMA_COLLECTION_PREFIX, this.settings.EMBED_MODEL, this.embeddings),
          this.embeddings,
          this.settings.EMBED_BATCH_SIZE,
        ),
    );
    return this.documentIndex;
  }

  /** The index ready to read and write: model checked, collection open, crashes recovered. */
  openIndex(): Promise<DocumentIndex> {
    this.openedIndex ??= this.index().then(async (index) => {
      await index.open();
      return index;
    });
    // A failed open (Ollama down) must not be cached: the next call tries again.
    this.openedIndex.catch(() => (this.openedIndex = undefined));
    return this.openedIndex;
  }

  async indexer(): Promise<Indexer> {
    const s = this.settings;
    return new Indexer(await this.openIndex(), {
      limits: loaderLimits(s),
      chunking: { chunkTokens: s.CHUNK_TOKENS, overlapTokens: s.CHUNK_OVERLAP_TOKENS },
    });
  }

  /** The chat model: streaming, with the configured window sent as num_ctx and the answer capped to its reserve. */
  chatModel(): ChatOllama {
    const s = this.settings;
    return new ChatOllama({
      model: s.CHAT_MODEL,
      baseUrl: s.OLLAMA_BASE_URL,
      numCtx: s.CHAT_NUM_CTX,
      numPredict: s.ANSWER_RESERVE_TOKENS,
      temperature: 0.1,
      streaming: true,
    });
  }

  /** The answer chain, built once. The index must open (Chroma reachable); Ollama may come and go. */
  answerChain(): Promise<AnswerChain> {
    this.chain ??= this.index().then((index) => {
      const s = this.settings;
      return new AnswerChain({
        index,
        chatModel: this.chatModel(),
        compressors: rerankCompressors(s, this.reranker),
        settings: {
          denseK: s.RETRIEVE_DENSE_K,
          keywordK: s.RETRIEVE_KEYWORD_K,
          fusion: s.FUSION,
          denseWeight: s.FUSION_DENSE_WEIGHT,
          keywordWeight: s.FUSION_KEYWORD_WEIGHT,
          rerankCandidates: s.RERANK_CANDIDATES,
          topN: s.RERANK_TOP_N,
          window: { numCtx: s.CHAT_NUM_CTX, answerReserve: s.ANSWER_RESERVE_TOKENS },
          chatTimeoutMs: Math.round(s.CHAT_TIMEOUT_S * 1000),
        },
      });
    });
    return this.chain;
  }

  async close(): Promise<void> {
    const index = await this.documentIndex?.catch(() => undefined);
    await index?.keywordSearch.close();
    const chroma = await this.chroma?.catch(() => undefined);
    await chroma?.server?.stop();
    if (this.db.open) this.db.close();
  }
}
