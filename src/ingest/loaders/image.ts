import { imageForOcr } from '../ocr/image-input.js';
import { FileClock } from '../ocr/file-clock.js';
import { withOcrPermit } from '../ocr/ocr-permit.js';
import { outOfFileTime, recognizeText } from '../ocr/read-text.js';
import { tesseract } from '../ocr/tesseract-engine.js';
import { IngestError, type Section } from '../types.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { normalizeWhitespace } from './normalize.js';

/** Screenshots and photos (PNG, JPEG, WebP, GIF, TIFF, BMP): one section of OCR text, location "image". */
export class ImageLoader implements DocumentLoader {
  readonly kind = 'image' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    const { ocr } = ctx.limits;
    if (!ocr.enabled) throw new IngestError('skipped', 'image not read: OCR is off (OCR=off)');
    const clock = new FileClock(ctx);
    const text = await withOcrPermit(
      async () => {
        const image = await imageForOcr(bytes);
        const fileBudgetMs = clock.remainingMs();
        if (fileBudgetMs <= 0) throw outOfFileTime('the image');
        return recognizeText(image, { options: ocr, fileBudgetMs, what: 'the image' });
      },
      () => tesseract.reset(),
    );
    if (text === undefined) throw new IngestError('skipped', 'image has no readable text');
    return [{ text: normalizeWhitespace(text), location: { section: 'image' }, ocr: true }];
  }
}
