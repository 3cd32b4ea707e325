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

/** What the pool keeps the process within (main thread and parser workers together). */
export interface MemoryBudget {
  /** Resident memory the process may use, in MB (INGEST_MEMORY_MB). */
  budgetMb: number;
  /** The process's resident memory now, in bytes (a parameter so tests can stand in a heavy process). */
  rss?: () => number;
}

/**
 * Above this share of the budget, a worker that finishes a file is replaced by a fresh one: what a
 * long-lived worker holds after a heavy file (a heap grown towards its cap, pdf.js's decoded images,
 * tesseract's WebAssembly memory, which never shrinks) is only returned to the system when it exits.
 */
const RECYCLE_AT = 0.5;
/** Above this share, a second file is not started while one is still being read. */
const ADMIT_BELOW = 0.75;

/**
 * A few long-lived parser workers. A fresh worker per file would pay for loading pdfjs, mammoth and
 * cheerio every time (hundreds of ms); reusing them keeps the isolation that matters: each worker's
 * heap is capped, and a worker that runs past the time limit or out of memory is thrown away and
 * replaced, taking only its own file down.
 *
 * With a memory budget, the process's resident memory is watched between files: a worker is replaced
 * after a file that left the process over RECYCLE_AT of the budget, and a second file waits while it is
 * over ADMIT_BELOW. One OCR page is read at a time across the workers (see OcrPermit).
 */
export class ParserPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private readonly heapMb: number;
  private readonly budgetBytes: number;
  private readonly rss: () => number;
  /** Which worker thread holds the OCR permit (0: none); shared with every worker. */
  private readonly ocrPermit = new Int32Array(new SharedArrayBuffer(8));
  /** Workers replaced to stay within the budget (for the benchmark's report). */
  recycled = 0;

  constructor(
    private readonly size: number,
    memoryMb: number,
    budget?: MemoryBudget,
  ) {
    // Each worker's heap is capped so the workers together fit the budget.
    this.heapMb = Math.max(MIN_WORKER_HEAP_MB, budget ? Math.min(memoryMb, Math.floor(budget.budgetMb / 2)) : memoryMb);
    this.budgetBytes = budget ? budget.budgetMb * 1024 * 1024 : Infinity;
    this.rss = budget?.rss ?? (() => process.memoryUsage.rss());
  }

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
      const busy = [...this.slots].some((s) => s.job);
      if (busy && this.rss() > this.budgetBytes * ADMIT_BELOW) return; // the file in flight finishes first
      let slot = [...this.slots].find((s) => !s.job);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      this.run(slot, this.queue.shift()!);
    }
  }

  /** After a file: replace the worker if the process is over RECYCLE_AT of its budget. */
  private afterFile(slot: Slot): void {
    if (this.rss() <= this.budgetBytes * RECYCLE_AT) return;
    this.recycled++;
    this.slots.delete(slot);
    this.releaseOcrPermit(slot.worker);
    void slot.worker.terminate();
  }

  /** A worker that stops while holding the OCR permit (timed out, crashed, replaced) must not keep it. */
  private releaseOcrPermit(worker: Worker): void {
    if (Atomics.compareExchange(this.ocrPermit, 0, worker.threadId, 0) === worker.threadId) Atomics.notify(this.ocrPermit, 0);
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
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      workerData: { ocrPermit: this.ocrPermit },
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
      this.afterFile(slot);
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
    this.releaseOcrPermit(slot.worker);
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

/**
 * The largest image a PDF may draw, from the batch's memory budget: pdfjs decodes an image to RGBA and
 * copies it between its threads (about 8 bytes a pixel), and each worker may decode one while a page
 * render and the main thread need the rest: an eighth of the budget per worker, so 32 MP for 1 GB.
 */
export function pdfImagePixels(budgetMb: number): number {
  return Math.floor((budgetMb * 1024 * 1024) / 8 / DEFAULT_PARSER_WORKERS / 2);
}
