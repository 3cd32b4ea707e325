import sharp from 'sharp';
import { oneLineMessage } from '../loaders/error-message.js';
import { IngestError, type OcrOptions } from '../types.js';
import { readImageHeader } from './image-input.js';
import { cleanScan, measureScan, planCleanup, retryPlan } from './scan-cleanup.js';
import { OcrTimeoutError, tesseract, type RecognizedText } from './tesseract-engine.js';

/** Fewer letters or digits than this is not text worth indexing (a stray "|" or "1" read from a border). */
const MIN_READABLE_CHARACTERS = 3;
/**
 * A reading less confident than this is tried again (see readPage). Clean pages read at 88-96; a noisy
 * 200-dpi scan that reads at 60 has lines read in the wrong script (bench/RESULTS.md, "OCR on noisy scans").
 */
const RETRY_BELOW_CONFIDENCE = 85;

export interface OcrCall {
  options: OcrOptions;
  /** Time left for the whole file, in ms: a page gets the smaller of this and its own limit. */
  fileBudgetMs: number;
  /** What is being read, for messages: "the image", "p. 7". */
  what: string;
}

/**
 * OCR one prepared image. Returns its text, or undefined when nothing in it is readable.
 * Throws IngestError when it runs out of time.
 */
export async function recognizeText(image: Buffer, { options, fileBudgetMs, what }: OcrCall): Promise<string | undefined> {
  let pageLimited = false;
  try {
    // Starting the engine (once per worker) counts against the file's time, not the page's.
    const started = Date.now();
    await tesseract.start(options.languages, Math.max(1, fileBudgetMs));
    const left = fileBudgetMs - (Date.now() - started);
    pageLimited = options.pageTimeoutMs <= left;
    const { text } = await readPage(image, options.languages, Date.now() + Math.max(1, Math.min(options.pageTimeoutMs, left)));
    return (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_READABLE_CHARACTERS ? text : undefined;
  } catch (error) {
    if (!(error instanceof OcrTimeoutError)) throw new IngestError('failed', `OCR failed on ${what}: ${oneLineMessage(error)}`);
    throw pageLimited
      ? new IngestError('failed', `OCR of ${what} took longer than ${formatSeconds(options.pageTimeoutMs)} (OCR_PAGE_TIMEOUT_S)`)
      : outOfFileTime(what);
  }
}

/**
 * The page read by tesseract, by `deadline`: cleaned first when it measures tilted, noisy or small (see
 * scan-cleanup.ts), and read a second time, cleaned at another size, when the first reading is unsure; the
 * more confident reading is kept. A second reading that would not fit in the time left is not started, and
 * one that runs out keeps the first.
 */
export async function readPage(image: Buffer, languages: string[], deadline: number): Promise<RecognizedText> {
  const timeLeft = () => Math.max(1, deadline - Date.now());
  // sharp (libvips) does not read BMP, which imageForOcr passes through for tesseract: read as it is.
  if (readImageHeader(image).type === 'bmp') return tesseract.recognize(image, languages, timeLeft());
  const [measure, { width = 0, height = 0 }] = await byDeadline(Promise.all([measureScan(image), sharp(image).metadata()]), deadline);
  const plan = planCleanup(measure, width, height);
  const first = plan ? await byDeadline(cleanScan(image, plan), deadline) : image;
  const started = Date.now();
  const reading = await tesseract.recognize(first, languages, timeLeft());
  if (reading.confidence >= RETRY_BELOW_CONFIDENCE || deadline - Date.now() < Date.now() - started) return reading;
  const again = retryPlan(plan, width, height);
  if (!again) return reading;
  try {
    const second = await byDeadline(cleanScan(image, again), deadline);
    const retry = await tesseract.recognize(second, languages, timeLeft());
    return retry.confidence > reading.confidence ? retry : reading;
  } catch (error) {
    if (error instanceof OcrTimeoutError) return reading;
    throw error;
  }
}

/** `work`, or OcrTimeoutError at `deadline`: measuring and cleaning a page count against its time (what is left of them runs on, unread). */
async function byDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OcrTimeoutError(0)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The file's time (FILE_TIMEOUT_S) ran out during OCR. */
export function outOfFileTime(what: string): IngestError {
  return new IngestError(
    'failed',
    `OCR ran out of time at ${what}: the file takes longer than FILE_TIMEOUT_S to read; raise it or split the file`,
  );
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
