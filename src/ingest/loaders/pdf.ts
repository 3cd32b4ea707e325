import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { IngestError, type Section } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { normalizeWhitespace } from './normalize.js';
import { layoutPageText, type PositionedRun } from './pdf-text.js';

// pdfjs needs its character maps to decode many CJK fonts; in Node it reads them from disk.
const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const CMAP_DIR = path.join(pdfjsRoot, 'cmaps') + path.sep;
const STANDARD_FONT_DIR = path.join(pdfjsRoot, 'standard_fonts') + path.sep;

/** One section per page, `location.page` 1-based; pages without text are left out. */
export class PdfLoader implements DocumentLoader {
  readonly kind = 'pdf' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    const document = await openPdf(bytes);
    try {
      if (document.numPages > ctx.limits.maxPages) {
        throw new IngestError('failed', `too many pages (${document.numPages} > ${ctx.limits.maxPages})`);
      }
      const sections: Section[] = [];
      for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
        const text = normalizeWhitespace(await readPageText(document, pageNumber));
        if (text) sections.push({ text, location: { page: pageNumber } });
      }
      if (sections.length === 0) {
        throw new IngestError('failed', 'no text found: the PDF is probably scanned images (OCR is not supported)');
      }
      return sections;
    } catch (error) {
      throw error instanceof IngestError ? error : damaged(error);
    } finally {
      await document.destroy();
    }
  }
}

async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const task = getDocument({
    data: bytes.slice(), // pdfjs transfers (detaches) the buffer it is given
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

async function readPageText(document: PDFDocumentProxy, pageNumber: number): Promise<string> {
  const page = await document.getPage(pageNumber);
  try {
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
  } finally {
    page.cleanup();
  }
}

function damaged(error: unknown): IngestError {
  return new IngestError('failed', `damaged PDF: ${asClause(oneLineMessage(error))}`);
}
