import { createHash } from 'node:crypto';
import { CitebotError, oneLine } from '../errors.js';
import { log } from '../log.js';
import type { DocumentIndex } from '../store/document-index.js';
import { DocumentChunker, type ChunkingOptions } from './chunker.js';
import type { ParserPool } from './parser-pool.js';
import { tooLarge } from './size-limit.js';
import { IngestError, type LoaderLimits } from './types.js';

/** A file to index, from any platform. The bytes are read only when needed (after the size check). */
export interface IngestSource {
  scope: string;
  /** Stable id: Slack file id, Discord attachment id, or a hash of a local path. */
  docId: string;
  /** File name shown in citations. */
  source: string;
  url: string;
  /** Size in bytes if known before reading; larger than the limit is skipped without a download. */
  size?: number;
  read: () => Promise<Uint8Array>;
  uploadedBy?: string;
  uploadedAt?: string;
}

export type IngestStatus = 'indexed' | 'updated' | 'unchanged' | 'skipped' | 'failed';

export interface IngestResult {
  scope: string;
  docId: string;
  source: string;
  status: IngestStatus;
  chunks: number;
  /** Pages (or images) read by OCR, when there were any. */
  ocrPages?: number;
  /** Why it was skipped or failed: one line a person understands. */
  error?: string;
}

export interface IndexerOptions {
  limits: LoaderLimits;
  chunking: ChunkingOptions;
  /** Files processed at once; parsing one while another is embedded keeps the model busy. */
  fileConcurrency?: number;
}

export type IngestProgress = (event: { done: number; total: number; result?: IngestResult; current?: string }) => void;

/**
 * Files in, chunks in the index out: size check, read, hash, skip if unchanged, parse (in a
 * sandboxed worker), chunk, embed and write. A bad file is a result, never an exception: one
 * broken file does not stop the others. Only infrastructure failures (Ollama, Chroma down) throw.
 */
export class Indexer {
  private readonly chunker: DocumentChunker;

  constructor(
    readonly index: DocumentIndex,
    private readonly parsers: ParserPool,
    private readonly options: IndexerOptions,
  ) {
    this.chunker = new DocumentChunker(options.chunking);
  }

  async ingest(input: IngestSource, onEmbedded?: (done: number, total: number) => void): Promise<IngestResult> {
    const { scope, docId, source } = input;
    const base = { scope, docId, source };
    const facts = { scope, docId, source, url: input.url, uploadedBy: input.uploadedBy, uploadedAt: input.uploadedAt };
    const limit = this.options.limits.maxFileBytes;
    if (input.size !== undefined && input.size > limit) {
      const reason = tooLarge(limit, input.size).reason;
      await this.index.recordProblem({ ...facts, bytes: input.size }, 'skipped', reason);
      return { ...base, status: 'skipped', chunks: 0, error: reason };
    }

    let bytes: Uint8Array;
    try {
      bytes = await input.read();
    } catch (error) {
      const reason = error instanceof IngestError ? error.reason : `could not read the file: ${oneLine(error)}`;
      const status = error instanceof IngestError ? error.status : 'failed';
      await this.index.recordProblem(facts, status, reason);
      return { ...base, status, chunks: 0, error: reason };
    }
    const contentHash = createHash('sha256').update(bytes).digest('hex');
    const previous = await this.index.document(scope, docId);
    if (previous?.status === 'indexed' && previous.contentHash === contentHash) {
      // A later, broken version may have left an error; these bytes are the indexed ones.
      await this.index.clearProblem(scope, docId);
      return { ...base, status: 'unchanged', chunks: previous.chunkCount };
    }
    if ((previous?.status === 'failed' || previous?.status === 'skipped') && previous.contentHash === contentHash && previous.error) {
      // The same bytes fail the same way: say so again without re-reading them.
      return { ...base, status: previous.status, chunks: 0, error: previous.error };
    }

    let chunks;
    let mimeType: string | undefined;
    let kind: string | undefined;
    let ocrPages: number;
    const parseStarted = performance.now();
    try {
      const parsed = await this.parsers.parse(bytes, source, this.options.limits);
      mimeType = parsed.mimeType;
      kind = parsed.kind;
      ocrPages = parsed.ocrPages ?? 0;
      chunks = await this.chunker.chunk(parsed, { ...facts, contentHash });
      if (chunks.length === 0) throw new IngestError('skipped', 'no text found in the file');
    } catch (error) {
      if (error instanceof CitebotError) throw error;
      const problem = error instanceof IngestError ? error : new IngestError('failed', `could not read the file: ${oneLine(error)}`);
      await this.index.recordProblem({ ...facts, contentHash, bytes: bytes.length }, problem.status, problem.reason);
      log.debug('file not indexed', { source, status: problem.status, reason: problem.reason });
      return { ...base, status: problem.status, chunks: 0, error: problem.reason };
    }

    const writeStarted = performance.now();
    await this.index.write({ ...facts, contentHash, mimeType, kind, bytes: bytes.length }, chunks, onEmbedded);
    log.debug('indexed', {
      source,
      chunks: chunks.length,
      ocrPages,
      parseMs: Math.round(writeStarted - parseStarted),
      writeMs: Math.round(performance.now() - writeStarted),
    });
    const updated = previous?.contentHash !== undefined && previous.contentHash !== contentHash;
    return { ...base, status: updated ? 'updated' : 'indexed', chunks: chunks.length, ...(ocrPages > 0 && { ocrPages }) };
  }

  /**
   * Ingest many files, a few at a time. Infrastructure failures stop the batch (the next run
   * resumes it); per-file problems are reported in the results.
   */
  async ingestAll(inputs: IngestSource[], onProgress?: IngestProgress): Promise<IngestResult[]> {
    const results: IngestResult[] = new Array(inputs.length);
    // Largest first: a big file started last would leave the embedding model idle while it parses.
    const order = inputs.map((_, i) => i).sort((a, b) => (inputs[b]!.size ?? 0) - (inputs[a]!.size ?? 0));
    let next = 0;
    let done = 0;
    let failure: unknown;
    const worker = async () => {
      while (failure === undefined && next < inputs.length) {
        const i = order[next++]!;
        const input = inputs[i]!;
        onProgress?.({ done, total: inputs.length, current: input.source });
        try {
          results[i] = await this.ingest(input);
        } catch (error) {
          failure ??= error;
          return;
        }
        done++;
        onProgress?.({ done, total: inputs.length, result: results[i] });
      }
    };
    const concurrency = Math.max(1, this.options.fileConcurrency ?? 3);
    await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
    if (failure !== undefined) throw failure;
    return results;
  }
}
