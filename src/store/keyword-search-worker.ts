import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkStore } from './chunk-store.js';
import type { KeywordSearchReply, KeywordSearchRequest } from './keyword-searcher.js';

/** Worker of KeywordSearcher: BM25 searches on a read-only connection (WAL lets it read while others write). */
const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 10000');
const index = new ChunkStore(db);

parentPort?.on('message', ({ id, query, scopes, k }: KeywordSearchRequest) => {
  let reply: KeywordSearchReply;
  try {
    reply = { id, hits: index.search(query, scopes, k) };
  } catch (error) {
    reply = { id, error: (error as Error).message };
  }
  parentPort?.postMessage(reply);
});
