import { threadId, workerData } from 'node:worker_threads';

/**
 * One OCR page at a time across ParserPool's workers. Reading a page costs a render (up to 64 MB of
 * canvas) and grows tesseract's WebAssembly memory by hundreds of MB; two at once would double the
 * batch's peak for little gain on a machine whose cores the embedding model also needs. The permit is
 * an Int32 in shared memory holding the owner's threadId (0: free); the pool frees it when it stops a
 * worker that held it. Outside a pool (tests, parseDocumentInProcess) there is no permit to take.
 */
const permit = (workerData as { ocrPermit?: Int32Array } | null)?.ocrPermit;

/** Atomics.waitAsync (Node 16+), which TypeScript's ES2022 library does not declare yet. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { value: Promise<string> | string };
  }
).waitAsync;

/** Slot 0: the holder's threadId; slot 1: how many workers are waiting for it. */
const HOLDER = 0;
const WAITING = 1;

/**
 * Run `work` holding the permit. When another worker is waiting, `beforeHandOver` runs before the permit
 * is let go (the caller stops its OCR engine then, so two engines are never alive at once).
 */
export async function withOcrPermit<T>(work: () => Promise<T>, beforeHandOver: () => Promise<void>): Promise<T> {
  if (!permit) return work();
  Atomics.add(permit, WAITING, 1);
  for (;;) {
    const holder = Atomics.compareExchange(permit, HOLDER, 0, threadId);
    if (holder === 0) break;
    // Woken when the holder lets go; the timeout only guards against a missed wake-up.
    await waitAsync(permit, HOLDER, holder, 1000).value;
  }
  Atomics.sub(permit, WAITING, 1);
  try {
    return await work();
  } finally {
    if (Atomics.load(permit, WAITING) > 0) await beforeHandOver().catch(() => undefined);
    Atomics.compareExchange(permit, HOLDER, threadId, 0);
    Atomics.notify(permit, HOLDER);
  }
}
