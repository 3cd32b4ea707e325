import { parentPort } from 'node:worker_threads';
import { oneLineMessage } from './loaders/error-message.js';
import { parseDocumentInProcess } from './parse.js';
import type { ParseReply, ParseRequest } from './parser-pool.js';
import { IngestError } from './types.js';

/** A parser worker of ParserPool: reads one file per message, answers one reply each. */
parentPort?.on('message', async ({ id, bytes, fileName, limits, deadline }: ParseRequest) => {
  let reply: ParseReply;
  try {
    reply = { id, ok: true, document: await parseDocumentInProcess(bytes, fileName, limits, deadline) };
  } catch (error) {
    // parseDocumentInProcess only throws IngestError; anything else still leaves as one line.
    const refusal = error instanceof IngestError ? error : new IngestError('failed', oneLineMessage(error));
    reply = { id, ok: false, status: refusal.status, reason: refusal.reason };
  }
  parentPort?.postMessage(reply);
});
