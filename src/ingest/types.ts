/** Where in its file a piece of text came from. Every field is optional: a text file has none. */
export interface Location {
  /** 1-based PDF page. */
  page?: number;
  /** 1-based slide number. */
  slide?: number;
  /** Spreadsheet sheet name (CSV files use the file name). */
  sheet?: string;
  /** Heading path, e.g. "Design > Storage > Limits"; "image" for the text of an image. */
  section?: string;
}

/** A run of text from one place in a file: the unit loaders produce and the splitter consumes. */
export interface Section {
  text: string;
  location: Location;
  /** The text was read by OCR from pixels (an image, or a scanned PDF page). */
  ocr?: boolean;
}

/** The kinds of file citebot reads. */
export type DocumentKind = 'pdf' | 'docx' | 'pptx' | 'xlsx' | 'csv' | 'html' | 'markdown' | 'text' | 'json' | 'image';

/** A file turned into sections by its loader. */
export interface ParsedDocument {
  kind: DocumentKind;
  mimeType: string;
  sections: Section[];
  /** Pages (or images) whose text was read by OCR; parseDocument always sets it. */
  ocrPages?: number;
}

/** Reading text from pixels: images, and PDF pages without a text layer. */
export interface OcrOptions {
  enabled: boolean;
  /** Tesseract language codes, e.g. ["eng", "chi_sim"]. */
  languages: string[];
  /** Wall-clock limit for recognising one image or page (within `timeoutMs` for the whole file). */
  pageTimeoutMs: number;
}

/** Guards that keep one hostile file from exhausting memory or hanging ingestion. */
export interface LoaderLimits {
  maxFileBytes: number;
  maxPages: number;
  maxSlides: number;
  maxRows: number;
  /** Wall-clock limit for parsing one file. */
  timeoutMs: number;
  /** ZIP-based formats: cap on the sum of uncompressed entry sizes. */
  maxUncompressedBytes: number;
  /** ZIP-based formats: cap on uncompressed / compressed size. */
  maxCompressionRatio: number;
  /** Heap cap for the parser worker, in MB. */
  maxParserMemoryMb: number;
  /** Images in a PDF larger than this many pixels are left out (not decoded); set from INGEST_MEMORY_MB. */
  maxPdfImagePixels: number;
  ocr: OcrOptions;
}

export const DEFAULT_LOADER_LIMITS: LoaderLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxPages: 2000,
  maxSlides: 1000,
  maxRows: 100_000,
  timeoutMs: 60_000,
  maxUncompressedBytes: 500 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxParserMemoryMb: 1024,
  maxPdfImagePixels: 32_000_000,
  ocr: { enabled: true, languages: ['eng', 'chi_sim'], pageTimeoutMs: 30_000 },
};

/**
 * A file citebot will not index, with a reason a person understands.
 * `skipped`: not something citebot reads (unsupported type, empty). `failed`: it should have been readable but is not.
 */
export class IngestError extends Error {
  constructor(
    readonly status: 'failed' | 'skipped',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'IngestError';
  }
}
