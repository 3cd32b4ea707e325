import { imageSize } from 'image-size';
import sharp from 'sharp';
import { IngestError } from '../types.js';
import { asClause, oneLineMessage } from '../loaders/error-message.js';

/**
 * Larger images are refused from their header, before a pixel is decoded: 50 megapixels is more than a
 * 48 MP phone photo, and 20000 x 20000 (1.6 GB of RGBA) is not a screenshot.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Images are shrunk to fit this many pixels a side before OCR: text in a 4K screenshot stays legible, and tesseract's memory stays bounded. */
const MAX_OCR_SIDE = 4096;

export interface ImageHeader {
  width: number;
  height: number;
  /** image-size's name for the format: png, jpg, webp, gif, tiff, bmp, ... */
  type: string;
}

/** Width, height and format from the file's header alone. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  let size;
  try {
    size = imageSize(bytes);
  } catch (error) {
    throw new IngestError('failed', `damaged image: ${asClause(oneLineMessage(error))}`);
  }
  if (!size.width || !size.height || !size.type) throw new IngestError('failed', 'damaged image: its header has no size');
  return { width: size.width, height: size.height, type: size.type };
}

export function assertImageSizeIsSafe({ width, height }: ImageHeader): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    const megapixels = Math.round((width * height) / 1e6);
    throw new IngestError(
      'failed',
      `image too large: ${width} × ${height} pixels (${megapixels} megapixels), the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels`,
    );
  }
}

/**
 * The image as tesseract reads it best: the first frame (GIF) or page (TIFF), flattened on white,
 * greyscale, at most MAX_OCR_SIDE a side, as PNG. Throws IngestError for damaged or oversized images.
 */
export async function imageForOcr(bytes: Uint8Array): Promise<Buffer> {
  const header = readImageHeader(bytes);
  assertImageSizeIsSafe(header);
  // libvips (sharp) does not read BMP; tesseract's own reader (leptonica) does, and the header check bounded it.
  if (header.type === 'bmp') return completeBmp(bytes);
  try {
    return await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'warning', pages: 1 })
      .flatten({ background: '#ffffff' })
      .greyscale()
      .resize({ width: MAX_OCR_SIDE, height: MAX_OCR_SIDE, fit: 'inside', withoutEnlargement: true })
      .png({ compressionLevel: 1 })
      .toBuffer();
  } catch (error) {
    const message = oneLineMessage(error);
    // A frame larger than the size the header declares.
    if (/pixel limit/i.test(message)) throw new IngestError('failed', `image too large: more than ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
    throw new IngestError('failed', `damaged image: ${asClause(message.replace(/^Vips\w*:\s*/, ''))}`);
  }
}

/** A BMP header states the file's size and where its pixels start: a shorter file is cut off (leptonica would fail obscurely). */
function completeBmp(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = buffer.length >= 14 ? Math.max(buffer.readUInt32LE(2), buffer.readUInt32LE(10) + 1) : Infinity;
  if (buffer.length < declared)
    throw new IngestError('failed', `damaged image: the BMP is cut off (${buffer.length} of ${declared} bytes)`);
  return buffer;
}
