import { IngestError, type Section } from '../types.js';
import { extensionOf } from './file-name.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { normalizeWhitespace } from './normalize.js';
import { decodeText } from './text-decoding.js';

/** Extensions of prose: anything else read as text is code or configuration, where indentation matters. */
const PROSE_EXTENSIONS = new Set(['', 'txt', 'text', 'log', 'rst', 'adoc', 'asciidoc', 'org', 'srt', 'vtt']);

/** Plain text and source code: the whole text, or one section per form-feed page (`location.page`). */
export class TextLoader implements DocumentLoader {
  readonly kind = 'text' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    const text = decodeText(bytes);
    if (text === undefined) throw new IngestError('failed', 'unreadable: the file is binary data, not text');
    const keepIndent = !PROSE_EXTENSIONS.has(extensionOf(ctx.fileName));
    // A form feed is the page break of printed text (pdftotext, man pages).
    const pages = text.split('\f');
    const sections: Section[] = [];
    pages.forEach((page, index) => {
      const pageText = normalizeWhitespace(page, { keepIndent });
      if (pageText) sections.push({ text: pageText, location: pages.length > 1 ? { page: index + 1 } : {} });
    });
    return sections;
  }
}
