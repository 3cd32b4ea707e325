import { detectKind } from './detect.js';
import { asClause, oneLineMessage } from './loaders/error-message.js';
import { loaderFor } from './loaders/index.js';
import { dropEmptySections } from './loaders/normalize.js';
import { DEFAULT_PARSER_WORKERS, ParserPool } from './parser-pool.js';
import { DEFAULT_LOADER_LIMITS, IngestError, type LoaderLimits, type ParsedDocument } from './types.js';

const MB = 1024 * 1024;

/**
 * Reads a file into sections in a worker thread, so that a hostile or broken file can only cost that
 * worker: its heap is capped at `limits.maxParserMemoryMb` and it is terminated after `limits.timeoutMs`.
 * Throws IngestError for every file it does not return.
 */
export async function parseDocument(
  bytes: Uint8Array,
  fileName: string,
  limits: LoaderLimits = DEFAULT_LOADER_LIMITS,
): Promise<ParsedDocument> {
  assertReadableSize(bytes, limits);
  return poolFor(limits.maxParserMemoryMb).parse(bytes, fileName, limits);
}

/**
 * The same work as parseDocument in the calling thread: no memory cap and no timeout.
 * For tests and callers that already isolate the work.
 */
export async function parseDocumentInProcess(
  bytes: Uint8Array,
  fileName: string,
  limits: LoaderLimits = DEFAULT_LOADER_LIMITS,
  deadline?: number,
): Promise<ParsedDocument> {
  try {
    assertReadableSize(bytes, limits);
    const { kind, mimeType } = await detectKind(bytes, fileName);
    const loader = await loaderFor(kind);
    const sections = dropEmptySections(await loader.load(bytes, { fileName, limits, deadline }));
    if (sections.length === 0) throw new IngestError('skipped', 'empty document: no text found');
    const ocrPages = new Set(sections.filter((s) => s.ocr).map((s) => JSON.stringify(s.location))).size;
    return { kind, mimeType, sections, ocrPages };
  } catch (error) {
    throw toIngestError(error);
  }
}

function assertReadableSize(bytes: Uint8Array, limits: LoaderLimits): void {
  if (bytes.byteLength === 0) throw new IngestError('skipped', 'empty file');
  if (bytes.byteLength > limits.maxFileBytes) {
    const limit = formatMegabytes(limits.maxFileBytes);
    let size = formatMegabytes(bytes.byteLength);
    if (size === limit) size = `${(bytes.byteLength / MB).toFixed(1)} MB`; // "50 MB, the limit is 50 MB" reads as a bug
    throw new IngestError('skipped', `too large: ${size}, the limit is ${limit} (MAX_FILE_MB)`);
  }
}

function toIngestError(error: unknown): IngestError {
  return error instanceof IngestError ? error : new IngestError('failed', `could not read the file: ${asClause(oneLineMessage(error))}`);
}

const pools = new Map<number, ParserPool>();

/** The shared parser pool for a heap cap (in practice one: PARSER_MEMORY_MB). */
function poolFor(memoryMb: number): ParserPool {
  let pool = pools.get(memoryMb);
  if (!pool) pools.set(memoryMb, (pool = new ParserPool(DEFAULT_PARSER_WORKERS, memoryMb)));
  return pool;
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}
