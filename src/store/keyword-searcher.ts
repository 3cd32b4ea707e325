import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/worker.js';
import type { KeywordHit } from './chunk-store.js';

export interface KeywordSearchRequest {
  id: number;
  query: string;
  scopes: string[];
  k: number;
}

export type KeywordSearchReply = { id: number; hits: KeywordHit[] } | { id: number; error: string };

/**
 * BM25 searches in a worker thread. better-sqlite3 is synchronous: on the main thread a search on a
 * large index would block for its whole duration, so the dense search (an embedding call, then
 * Chroma) could not overlap it. Off the main thread the two run side by side.
 */
export class KeywordSearcher {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (hits: KeywordHit[]) => void; reject: (error: Error) => void }>();

  constructor(private readonly dbFile: string) {}

  search(query: string, scopes: string[], k: number): Promise<KeywordHit[]> {
    if (scopes.length === 0) return Promise.reject(new Error('keyword search needs at least one scope'));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, query, scopes, k } satisfies KeywordSearchRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(import.meta.url, 'keyword-search-worker', { workerData: { file: this.dbFile } });
    worker.unref();
    worker.on('message', (reply: KeywordSearchReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (!waiting) return;
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.hits);
    });
    const fail = (error: Error) => {
      // A dead worker fails what it held; the next search starts a new one.
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the keyword search worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
