import { parentPort, workerData } from 'node:worker_threads';
import { parseDocumentInProcess, type ParseReply, type ParseRequest } from './parse.js';
import { IngestError } from './types.js';

/** Entry of the parser worker started by parseDocument: parse one file, post one reply. */
async function main(): Promise<void> {
  const { bytes, fileName, limits } = workerData as ParseRequest;
  let reply: ParseReply;
  try {
    reply = { ok: true, document: await parseDocumentInProcess(bytes, fileName, limits) };
  } catch (error) {
    const refusal = error instanceof IngestError ? error : new IngestError('failed', String(error));
    reply = { ok: false, status: refusal.status, reason: refusal.reason };
  }
  parentPort?.postMessage(reply);
}

void main();
