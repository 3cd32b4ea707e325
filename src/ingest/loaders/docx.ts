import { load } from 'cheerio';
import mammoth from 'mammoth';
import { IngestError, type Section } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import { htmlToSections } from './html-sections.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { assertZipIsSafe } from './zip-guard.js';

/** Word documents through mammoth's HTML: heading path as `location.section`, tables as " | " rows. */
export class DocxLoader implements DocumentLoader {
  readonly kind = 'docx' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    await assertZipIsSafe(bytes, ctx.limits);
    let html: string;
    try {
      const result = await mammoth.convertToHtml(
        { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
        // Images would otherwise be inlined as base64: memory and time spent on nothing we read.
        { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
      );
      html = result.value;
    } catch (error) {
      throw new IngestError('failed', `damaged Word document: ${asClause(oneLineMessage(error))}`);
    }
    const $ = load(html);
    // Footnote back-links ("↑") are navigation, not text.
    $('a[href^="#footnote-ref-"], a[href^="#endnote-ref-"]').remove();
    const sections = htmlToSections($.root().toArray());
    if (sections.length === 0) throw new IngestError('skipped', 'empty document: no text found');
    return sections;
  }
}
