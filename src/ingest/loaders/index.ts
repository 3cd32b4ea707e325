import type { DocumentKind } from '../types.js';
import type { DocumentLoader } from './loader.js';

export type { DocumentLoader, LoadContext } from './loader.js';

/**
 * The loader for each kind. Loaders are imported on first use: pdfjs, exceljs and mammoth take a
 * noticeable time to load, and a parser worker only ever needs one of them.
 */
const LOADERS: Record<DocumentKind, () => Promise<DocumentLoader>> = {
  pdf: async () => new (await import('./pdf.js')).PdfLoader(),
  docx: async () => new (await import('./docx.js')).DocxLoader(),
  pptx: async () => new (await import('./pptx.js')).PptxLoader(),
  xlsx: async () => new (await import('./xlsx.js')).XlsxLoader(),
  csv: async () => new (await import('./csv.js')).CsvLoader(),
  html: async () => new (await import('./html.js')).HtmlLoader(),
  markdown: async () => new (await import('./markdown.js')).MarkdownLoader(),
  text: async () => new (await import('./text.js')).TextLoader(),
  json: async () => new (await import('./json.js')).JsonLoader(),
  image: async () => new (await import('./image.js')).ImageLoader(),
};

export function loaderFor(kind: DocumentKind): Promise<DocumentLoader> {
  return LOADERS[kind]();
}
