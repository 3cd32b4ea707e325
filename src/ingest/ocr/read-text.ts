import { oneLineMessage } from '../loaders/error-message.js';
import { IngestError, type OcrOptions } from '../types.js';
import { OcrTimeoutError, tesseract } from './tesseract-engine.js';

/** Fewer letters or digits than this is not text worth indexing (a stray "|" or "1" read from a border). */
const MIN_READABLE_CHARACTERS = 3;

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
    const { text } = await tesseract.recognize(image, options.languages, Math.max(1, Math.min(options.pageTimeoutMs, left)));
    return (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_READABLE_CHARACTERS ? text : undefined;
  } catch (error) {
    if (!(error instanceof OcrTimeoutError)) throw new IngestError('failed', `OCR failed on ${what}: ${oneLineMessage(error)}`);
    throw pageLimited
      ? new IngestError('failed', `OCR of ${what} took longer than ${formatSeconds(options.pageTimeoutMs)} (OCR_PAGE_TIMEOUT_S)`)
      : outOfFileTime(what);
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
