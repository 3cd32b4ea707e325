import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/worker.js';
import { oneLineMessage } from './loaders/error-message.js';
import { assertReadableSize } from './parse.js';
import { IngestError, type LoaderLimits, type ParsedDocument } from './types.js';

/** What a parser worker receives: one file to read. */
export interface ParseRequest {
  id: number;
  bytes: Uint8Array;
  fileName: string;
  limits: LoaderLimits;
  /** When the pool stops this file (Date.now() time, which all threads share), set when it is sent. */
  deadline?: number;
}

/** What it answers: the document, or the refusal as plain data (classes do not cross threads). */
export type ParseReply = { id: number } & (
  { ok: true; document: ParsedDocument } | { ok: false; status: IngestError['status']; reason: string }
);

interface Job {
  request: ParseRequest;
  resolve: (document: ParsedDocument) => void;
  reject: (error: IngestError) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * A few long-lived parser workers. A fresh worker per file would pay for loading pdfjs, mammoth and
 * cheerio every time (hundreds of ms); reusing them keeps the isolation that matters: each worker's
 * heap is capped, and a worker that runs past the time limit or out of memory is thrown away and
 * replaced, taking only its own file down.
 */
export class ParserPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(
    private readonly size: number,
    private readonly memoryMb: number,
  ) {}

  /**
   * Read a file into sections in a worker: a hostile or broken file can only cost that worker (heap
   * capped, terminated after `limits.timeoutMs`). Rejects with IngestError for every file it does not return.
   */
  async parse(bytes: Uint8Array, fileName: string, limits: LoaderLimits): Promise<ParsedDocument> {
    assertReadableSize(bytes, limits);
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, bytes, fileName, limits }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = [...this.slots].find((s) => !s.job);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      this.run(slot, this.queue.shift()!);
    }
  }

  private run(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    const { timeoutMs } = job.request.limits;
    job.request.deadline = Date.now() + timeoutMs;
    slot.timer = setTimeout(() => this.fail(slot, `timed out after ${formatDuration(timeoutMs)} while reading the file`), timeoutMs);
    slot.worker.postMessage(job.request);
  }

  private spawn(): Slot {
    const worker = startModuleWorker(import.meta.url, 'parse-worker', {
      resourceLimits: { maxOldGenerationSizeMb: Math.max(MIN_WORKER_HEAP_MB, this.memoryMb) },
    });
    const slot: Slot = { worker };
    this.slots.add(slot);
    worker.unref();
    worker.on('message', (reply: ParseReply) => {
      const job = slot.job;
      if (!job || job.request.id !== reply.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      worker.unref();
      if (reply.ok) job.resolve(reply.document);
      else job.reject(new IngestError(reply.status, reply.reason));
      this.dispatch();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      this.fail(
        slot,
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'too large to read: the parser ran out of memory'
          : `the parser crashed: ${oneLineMessage(error)}`,
      );
    });
    worker.on('exit', (code) => this.fail(slot, `the parser stopped unexpectedly (exit code ${code})`));
    return slot;
  }

  /** Reject the slot's file, discard the worker, and carry on with a new one. */
  private fail(slot: Slot, reason: string): void {
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.timer);
    void slot.worker.terminate();
    slot.job?.reject(new IngestError('failed', reason));
    this.dispatch();
  }
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/**
 * Below a few MB of heap a new isolate cannot even deserialize its startup snapshot, and Node 24's V8
 * then aborts the whole process ("Fatal JavaScript out of memory: GC during deserialization") instead of
 * failing the worker with ERR_WORKER_OUT_OF_MEMORY. Node 20 survives it; neither needs a smaller heap.
 */
export const MIN_WORKER_HEAP_MB = 16;

/** Two workers on most machines: parsing shares the cores with Chroma and the embedding model. */
export const DEFAULT_PARSER_WORKERS = Math.max(1, Math.min(2, availableParallelism()));
