import { imageSize } from 'image-size';

/**
 * Hostile files too large to commit, built from small committed fixtures:
 * an animated GIF with thousands of frames and a scanned PDF with hundreds of pages.
 */

/** `gif` with its first frame kept and 1x1 frames appended until it has `frames` frames. */
export function gifWithFrames(gif: Uint8Array, frames: number): Uint8Array {
  const end = endOfFirstFrame(gif);
  // Image descriptor (1x1 at 0,0, no colour table), LZW minimum code size 2, one data sub-block, terminator.
  const tiny = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00];
  const out = new Uint8Array(end + tiny.length * (frames - 1) + 1);
  out.set(gif.subarray(0, end));
  for (let i = 0; i < frames - 1; i++) out.set(tiny, end + i * tiny.length);
  out[out.length - 1] = 0x3b; // trailer
  return out;
}

/** Walks the GIF's blocks (header, screen descriptor, extensions, first image) to where the first image ends. */
function endOfFirstFrame(gif: Uint8Array): number {
  const colourTable = (flags: number) => (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  const skipSubBlocks = (at: number) => {
    while (gif[at] !== 0) at += gif[at]! + 1;
    return at + 1;
  };
  let at = 13 + colourTable(gif[10]!);
  for (;;) {
    if (gif[at] === 0x21) at = skipSubBlocks(at + 2);
    else if (gif[at] === 0x2c) return skipSubBlocks(at + 10 + colourTable(gif[at + 9]!) + 1);
    else throw new Error(`not a GIF block at ${at}`);
  }
}

/**
 * An image-only PDF of `pages` pages, each drawing the same greyscale JPEG (one shared image object):
 * at its pixel size on an A5 page, or with `dpi`, filling an A4 page as a scanner at that resolution would.
 */
export function scannedPdf(jpeg: Uint8Array, pages: number, dpi?: number): Uint8Array {
  const { width, height } = imageSize(jpeg);
  const box = dpi ? [595, 842] : [420, 595];
  const [drawWidth, drawHeight] = dpi ? [(width * 72) / dpi, (height * 72) / dpi] : [width, height];
  const top = dpi ? 842 - drawHeight : 500;
  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (data: Buffer) => {
    chunks.push(data);
    length += data.length;
  };
  const object = (number: number, ...body: (string | Uint8Array)[]) => {
    offsets[number - 1] = length;
    push(Buffer.from(`${number} 0 obj\n`));
    for (const part of body) push(Buffer.from(part));
    push(Buffer.from('\nendobj\n'));
  };
  const draw = `q ${drawWidth.toFixed(2)} 0 0 ${drawHeight.toFixed(2)} ${dpi ? 0 : 20} ${top.toFixed(2)} cm /Im1 Do Q`;
  push(Buffer.from('%PDF-1.4\n'));
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ');
  object(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  object(
    3,
    `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`,
    jpeg,
    '\nendstream',
  );
  object(4, `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`);
  for (let i = 0; i < pages; i++) {
    object(
      5 + i,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${box[0]} ${box[1]}] /Contents 4 0 R /Resources << /XObject << /Im1 3 0 R >> >> >>`,
    );
  }
  const xref = length;
  push(Buffer.from(`xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`));
  for (const offset of offsets) push(Buffer.from(`${String(offset).padStart(10, '0')} 00000 n \n`));
  push(Buffer.from(`trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(chunks));
}
