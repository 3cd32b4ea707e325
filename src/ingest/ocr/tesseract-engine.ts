import { createWorker, OEM, PSM, type Block, type Worker } from 'tesseract.js';
import { removeSpacesBetweenCjk } from './cjk-spacing.js';
import { languageFolder } from './language-data.js';

/** Text read from one image, lines kept, with tesseract's mean confidence (0-100). */
export interface RecognizedText {
  text: string;
  /** Over every line read, kept or not, weighted by length: a reading that leaves half the page out as noise is a poor one. */
  confidence: number;
}

/**
 * Lines tesseract is less sure of than this are noise (a photo's texture, a logo, a signature), not text.
 * Clean screenshots and scans read at 85-96; a photo with no text yields lines at 10-40.
 */
const MIN_LINE_CONFIDENCE = 50;

/** An OCR call that ran out of time; the engine has been reset and the next call starts a new one. */
export class OcrTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`OCR took longer than ${timeoutMs} ms`);
    this.name = 'OcrTimeoutError';
  }
}

/**
 * One tesseract.js worker per thread, kept between files: starting one and loading the languages takes
 * about half a second. A call that runs too long terminates it (tesseract cannot be interrupted otherwise);
 * the next call starts a fresh one.
 */
export class TesseractEngine {
  private worker?: Promise<Worker>;
  private languages = '';

  /** Start the engine for `languages` (if it is not running), in at most `timeoutMs`. */
  async start(languages: string[], timeoutMs: number): Promise<void> {
    await this.withTimeout(this.workerFor(languages), timeoutMs);
  }

  /** Recognise `image`, in at most `timeoutMs` once the engine is running, with page segmentation `pageSegMode` (default: automatic). */
  async recognize(image: Buffer, languages: string[], timeoutMs: number, pageSegMode = PSM.AUTO): Promise<RecognizedText> {
    const worker = await this.workerFor(languages);
    const result = await this.withTimeout(
      worker.setParameters({ tessedit_pageseg_mode: pageSegMode }).then(() => worker.recognize(image, {}, { text: false, blocks: true })),
      timeoutMs,
    );
    return readableLines(result.data.blocks ?? []);
  }

  private async withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OcrTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      if (error instanceof OcrTimeoutError) await this.reset();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async reset(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.languages = '';
    await worker?.then((w) => w.terminate()).catch(() => undefined);
  }

  private workerFor(languages: string[]): Promise<Worker> {
    const wanted = languages.join('+');
    if (this.worker && this.languages === wanted) return this.worker;
    void this.reset();
    this.languages = wanted;
    const worker = createWorker(wanted, OEM.LSTM_ONLY, {
      langPath: languageFolder(languages),
      // The default caches the unpacked models in the current directory: keep nothing, read from the package.
      cacheMethod: 'none',
      gzip: true,
      // Without a handler tesseract.js rethrows a failed job (a damaged image) as an uncaught exception;
      // the job's promise is rejected either way, and recognize reports it.
      errorHandler: () => undefined,
    }).then(async (w) => {
      // Screenshots carry no (or a wrong) resolution, which tesseract warns about on stderr for every image;
      // PDF pages are rendered at 300 dpi. Tesseract's other messages ("Image too small to scale!!",
      // "Line cannot be recognized!!", one per speck it takes for a line) go to debug_file, else to stderr.
      await w.setParameters({ user_defined_dpi: '300', debug_file: '/dev/null' });
      return w;
    });
    // A failed start is not kept: the next call tries again.
    worker.catch(() => {
      if (this.worker === worker) void this.reset();
    });
    this.worker = worker;
    return worker;
  }
}

/** Paragraphs separated by a blank line, lines by a newline; low-confidence lines left out of the text (not of the confidence). */
function readableLines(blocks: Block[]): RecognizedText {
  const paragraphs: string[] = [];
  let weighted = 0;
  let characters = 0;
  for (const block of blocks) {
    for (const paragraph of block.paragraphs) {
      const lines: string[] = [];
      for (const line of paragraph.lines) {
        const text = removeSpacesBetweenCjk(line.text.replace(/\s+/g, ' ').trim());
        if (!text) continue;
        weighted += line.confidence * text.length;
        characters += text.length;
        if (line.confidence >= MIN_LINE_CONFIDENCE) lines.push(text);
      }
      if (lines.length) paragraphs.push(lines.join('\n'));
    }
  }
  return { text: paragraphs.join('\n\n'), confidence: characters ? weighted / characters : 0 };
}

/** The engine of this thread (a parser worker). */
export const tesseract = new TesseractEngine();
