import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { FileClock } from '../ocr/file-clock.js';
import { withOcrPermit } from '../ocr/ocr-permit.js';
import { outOfFileTime, recognizeText } from '../ocr/read-text.js';
import { tesseract } from '../ocr/tesseract-engine.js';
import { IngestError, type LoaderLimits, type Section } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { normalizeWhitespace } from './normalize.js';
import { pageHasImages, renderPage } from './pdf-page-image.js';
import { layoutPageText, type PositionedRun } from './pdf-text.js';

// pdfjs needs its character maps to decode many CJK fonts; in Node it reads them from disk.
const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const CMAP_DIR = path.join(pdfjsRoot, 'cmaps') + path.sep;
const STANDARD_FONT_DIR = path.join(pdfjsRoot, 'standard_fonts') + path.sep;

/**
 * A page whose text layer has fewer letters than this, and which draws an image, is a scan: its
 * text layer, if any, is a page number or a stamp, and OCR reads the page.
 */
const SCANNED_PAGE_MAX_LETTERS = 20;

/**
 * One section per page, `location.page` 1-based; pages without text are left out. Pages without a
 * text layer that draw images (scans) are rendered and read by OCR, page by page, unless OCR is off.
 */
export class PdfLoader implements DocumentLoader {
  readonly kind = 'pdf' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    const clock = new FileClock(ctx);
    const document = await openPdf(bytes, ctx.limits);
    try {
      if (document.numPages > ctx.limits.maxPages) {
        throw new IngestError('failed', `too many pages (${document.numPages} > ${ctx.limits.maxPages}, MAX_PAGES)`);
      }
      const sections: Section[] = [];
      let scannedPages = 0;
      for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
        const page = await document.getPage(pageNumber);
        try {
          const text = normalizeWhitespace(await readPageText(page));
          // With OCR off the page's images are not looked at: finding them decodes every one of them.
          if (letters(text) >= SCANNED_PAGE_MAX_LETTERS || !ctx.limits.ocr.enabled || !(await pageHasImages(page))) {
            if (text) sections.push({ text, location: { page: pageNumber } });
            continue;
          }
          scannedPages++;
          const ocrText = await withOcrPermit(
            () => ocrPage(document, page, ctx.limits, clock),
            () => tesseract.reset(),
          );
          if (ocrText) sections.push({ text: ocrText, location: { page: pageNumber }, ocr: true });
          else if (text) sections.push({ text, location: { page: pageNumber } });
        } finally {
          page.cleanup();
        }
      }
      if (sections.length === 0) throw noText(scannedPages, ctx.limits);
      return sections;
    } catch (error) {
      throw error instanceof IngestError ? error : damaged(error);
    } finally {
      await document.destroy();
    }
  }
}

async function openPdf(bytes: Uint8Array, limits: LoaderLimits): Promise<PDFDocumentProxy> {
  const task = getDocument({
    data: bytes.slice(), // pdfjs transfers (detaches) the buffer it is given
    // A few-kB JPEG can declare 20000 x 20000 pixels; pdfjs would decode it (RGBA, copied between its
    // threads) outside any heap cap. Larger images are left out of the page instead.
    maxImageSize: limits.maxPdfImagePixels,
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    cMapUrl: CMAP_DIR,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONT_DIR,
  });
  try {
    return await task.promise;
  } catch (error) {
    await task.destroy();
    if (error instanceof Error && error.name === 'PasswordException') {
      throw new IngestError('failed', 'encrypted PDF: remove the password and share it again');
    }
    throw damaged(error);
  }
}

async function ocrPage(
  document: PDFDocumentProxy,
  page: PDFPageProxy,
  limits: LoaderLimits,
  clock: FileClock,
): Promise<string | undefined> {
  const what = `p. ${page.pageNumber}`;
  if (clock.remainingMs() <= 0) throw outOfFileTime(what);
  const image = await renderPage(document, page);
  const fileBudgetMs = clock.remainingMs();
  if (fileBudgetMs <= 0) throw outOfFileTime(what);
  const text = await recognizeText(image, { options: limits.ocr, fileBudgetMs, what });
  return text === undefined ? undefined : normalizeWhitespace(text);
}

function noText(scannedPages: number, limits: LoaderLimits): IngestError {
  // With OCR off the pages' images were not looked at (see load): a scan and a blank PDF look alike.
  if (!limits.ocr.enabled)
    return new IngestError('skipped', 'no text found: the PDF has no text layer (scanned pages are read only with OCR=on)');
  if (scannedPages === 0) return new IngestError('failed', 'no text found: the PDF has neither text nor scanned pages');
  return new IngestError('failed', 'no readable text: OCR found no legible text on the scanned pages');
}

function letters(text: string): number {
  return text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
}

async function readPageText(page: PDFPageProxy): Promise<string> {
  const content = await page.getTextContent();
  const runs: PositionedRun[] = [];
  for (const item of content.items) {
    if (!('str' in item)) continue; // marked-content markers carry no text
    runs.push({
      text: item.str,
      endsLine: item.hasEOL,
      x: item.transform[4] as number,
      y: item.transform[5] as number,
      width: item.width,
      height: item.height,
    });
  }
  return layoutPageText(runs);
}

function damaged(error: unknown): IngestError {
  return new IngestError('failed', `damaged PDF: ${asClause(oneLineMessage(error))}`);
}
