import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { detectKind } from './detect.js';
import { oneLineMessage } from './loaders/error-message.js';
import { loaderFor } from './loaders/index.js';
import { dropEmptySections } from './loaders/normalize.js';
import { DEFAULT_LOADER_LIMITS, IngestError, type LoaderLimits, type ParsedDocument } from './types.js';

/** What the parser worker receives. */
export interface ParseRequest {
  bytes: Uint8Array;
  fileName: string;
  limits: LoaderLimits;
}

/** What the parser worker answers: the document, or the refusal as plain data (classes do not cross threads). */
export type ParseReply = { ok: true; document: ParsedDocument } | { ok: false; status: IngestError['status']; reason: string };

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
  return runInWorker({ bytes, fileName, limits });
}

/**
 * The same work as parseDocument in the calling thread: no memory cap and no timeout.
 * For tests and callers that already isolate the work.
 */
export async function parseDocumentInProcess(
  bytes: Uint8Array,
  fileName: string,
  limits: LoaderLimits = DEFAULT_LOADER_LIMITS,
): Promise<ParsedDocument> {
  try {
    assertReadableSize(bytes, limits);
    const { kind, mimeType } = await detectKind(bytes, fileName);
    const loader = await loaderFor(kind);
    const sections = dropEmptySections(await loader.load(bytes, { fileName, limits }));
    if (sections.length === 0) throw new IngestError('skipped', 'empty document: no text found');
    return { kind, mimeType, sections };
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
  return error instanceof IngestError ? error : new IngestError('failed', oneLineMessage(error));
}

function runInWorker(request: ParseRequest): Promise<ParsedDocument> {
  const { limits } = request;
  return new Promise((resolve, reject) => {
    const worker = startParserWorker(request);
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new IngestError('failed', `timed out after ${formatDuration(limits.timeoutMs)} while reading the file`)));
    }, limits.timeoutMs);

    worker.once('message', (reply: ParseReply) => {
      settle(() => (reply.ok ? resolve(reply.document) : reject(new IngestError(reply.status, reply.reason))));
    });
    worker.once('error', (error: Error & { code?: string }) => {
      const reason =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'too large to read: the parser ran out of memory'
          : `the parser crashed: ${oneLineMessage(error)}`;
      settle(() => reject(new IngestError('failed', reason)));
    });
    worker.once('exit', (code) => {
      settle(() => reject(new IngestError('failed', `the parser stopped unexpectedly (exit code ${code})`)));
    });
  });
}

/**
 * Starts parse-worker: the compiled .js next to this file when running from dist/, otherwise the .ts
 * source through tsx. `execArgv: ['--import', 'tsx']` does not work for worker threads on Node 20 (the
 * hooks it registers do not reach the worker's own entry module: ERR_UNKNOWN_FILE_EXTENSION), so the
 * worker starts from a one-line JavaScript bootstrap that loads the TypeScript entry with tsx's
 * tsImport API. That works the same under vitest, tsx and plain node.
 */
function startParserWorker(request: ParseRequest): Worker {
  const options = {
    workerData: request, // copied into the worker, so the caller's bytes stay usable
    resourceLimits: { maxOldGenerationSizeMb: request.limits.maxParserMemoryMb },
  };
  const compiled = new URL('./parse-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, options);

  const source = new URL('./parse-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
