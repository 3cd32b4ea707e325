import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { seeded } from '../../src/eval/confidence.js';

/**
 * A folder of varied PDFs like a real document dump (pdf.js's own test corpus is the model): many small
 * text PDFs, image-only scans (legible, blank, specks too small to read, huge pixel sizes in small files),
 * broken files, and a few large ones. Deterministic for a given seed, written in pure TypeScript (no
 * ImageMagick or ghostscript needed), so the memory test and bench/pdf-folder.ts build the same kinds.
 */

/** One image placed on a page, in PDF points from the bottom left. */
interface Placed {
  image: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PdfPageSpec {
  lines?: string[];
  images?: Placed[];
}

interface PdfImage {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

const A4 = [595, 842] as const;

/** A PDF of the given pages: Helvetica text lines from the top left, and greyscale JPEG images (one object each, shared between pages). */
export function buildPdf(pages: PdfPageSpec[], images: PdfImage[] = []): Uint8Array {
  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (data: string | Uint8Array) => {
    const buffer = Buffer.from(data);
    chunks.push(buffer);
    length += buffer.length;
  };
  const object = (number: number, ...body: (string | Uint8Array)[]) => {
    offsets[number - 1] = length;
    push(`${number} 0 obj\n`);
    for (const part of body) push(part);
    push('\nendobj\n');
  };
  const firstImage = 4;
  const firstPage = firstImage + images.length;
  push('%PDF-1.4\n');
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  const kids = pages.map((_, i) => `${firstPage + 2 * i} 0 R`).join(' ');
  object(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  images.forEach((image, i) =>
    object(
      firstImage + i,
      `<< /Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${image.jpeg.length} >>\nstream\n`,
      image.jpeg,
      '\nendstream',
    ),
  );
  pages.forEach((page, i) => {
    const draw: string[] = [];
    if (page.lines?.length) {
      draw.push(`BT /F1 10 Tf 13 TL 50 800 Td`);
      for (const line of page.lines) draw.push(`(${line.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj T*`);
      draw.push('ET');
    }
    for (const p of page.images ?? []) draw.push(`q ${p.width} 0 0 ${p.height} ${p.x} ${p.y} cm /Im${p.image} Do Q`);
    const content = draw.join('\n');
    const xobjects = images.map((_, k) => `/Im${k} ${firstImage + k} 0 R`).join(' ');
    object(
      firstPage + 2 * i,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4[0]} ${A4[1]}] /Contents ${firstPage + 2 * i + 1} 0 R /Resources << /Font << /F1 3 0 R >> /XObject << ${xobjects} >> >> >>`,
    );
    object(firstPage + 2 * i + 1, `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`);
  });
  const xref = length;
  push(`xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`);
  for (const offset of offsets) push(`${String(offset).padStart(10, '0')} 00000 n \n`);
  push(`trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(chunks));
}

const WORDS = (
  'river stone harbour lantern copper meadow signal archive ledger orbit canyon thunder velvet quarry ' +
  'pilot mirror garden engine falcon tunnel market winter compass saddle ember glacier violet beacon ' +
  'timber anchor summit crystal hollow parcel ribbon marble voyage fossil prism cobalt meridian spindle'
).split(' ');

function textLines(rand: () => number, count: number): string[] {
  return Array.from({ length: count }, () =>
    Array.from({ length: 8 + Math.floor(rand() * 6) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '),
  );
}

/** A greyscale JPEG of dark text on white, as a scanner would produce it. */
async function scannedText(lines: string[], width: number, height: number): Promise<PdfImage> {
  const size = Math.round(width / 40);
  const text = lines
    .map((line, i) => `<text x="${size * 2}" y="${size * 3 + i * size * 1.6}" font-size="${size}" font-family="sans-serif">${line}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${text}</svg>`;
  const jpeg = await sharp(Buffer.from(svg)).greyscale().jpeg({ quality: 70 }).toBuffer();
  return { jpeg, width, height };
}

/** A smooth grey gradient: kilobytes as JPEG, but width x height pixels once decoded. */
async function hugeGradient(width: number, height: number): Promise<PdfImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#eee"/><stop offset="1" stop-color="#999"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  const jpeg = await sharp(Buffer.from(svg), { limitInputPixels: false }).greyscale().jpeg({ quality: 50 }).toBuffer();
  return { jpeg, width, height };
}

/** A few pixels of noise: drawn small on a page, it is the speck tesseract calls "too small to scale". */
async function speck(rand: () => number): Promise<PdfImage> {
  const side = 4 + Math.floor(rand() * 8);
  const pixels = Buffer.from(Array.from({ length: side * side }, () => Math.floor(rand() * 256)));
  const jpeg = await sharp(pixels, { raw: { width: side, height: side, channels: 1 } })
    .jpeg()
    .toBuffer();
  return { jpeg, width: side, height: side };
}

export type CorpusKind = 'text' | 'scan' | 'blank-scan' | 'specks' | 'huge-image' | 'mixed' | 'broken' | 'large';

/** How many files of each kind in a folder of `total` files: mostly small text, a tenth broken, a few large. */
export function corpusMix(total: number): Record<CorpusKind, number> {
  const share = (fraction: number, min = 1) => Math.max(min, Math.round(total * fraction));
  const mix = {
    scan: share(0.03),
    'blank-scan': share(0.05),
    specks: share(0.05),
    'huge-image': share(0.05),
    mixed: share(0.1),
    broken: share(0.1),
    large: share(0.01),
  };
  const rest = total - Object.values(mix).reduce((a, b) => a + b, 0);
  return { text: Math.max(1, rest), ...mix };
}

/** Write `total` PDFs into `folder`; returns how many of each kind. */
export async function writePdfCorpus(folder: string, total: number, seed = 25): Promise<Record<CorpusKind, number>> {
  mkdirSync(folder, { recursive: true });
  const rand = seeded(seed);
  const mix = corpusMix(total);
  const full = { x: 0, y: 0, width: A4[0], height: A4[1] };
  const write = (kind: CorpusKind, i: number, bytes: Uint8Array) =>
    writeFileSync(join(folder, `${kind}-${String(i).padStart(4, '0')}.pdf`), bytes);
  // Generated once and shared: rendering SVG text is the slow part.
  const scans = [await scannedText(textLines(rand, 12), 1240, 1754), await scannedText(textLines(rand, 6), 1240, 1754)];
  const blank = await hugeGradient(1240, 1754);
  const huge = [await hugeGradient(6000, 8000), await hugeGradient(4500, 6000)];
  const specks = [await speck(rand), await speck(rand), await speck(rand)];
  for (let i = 0; i < mix.text; i++) {
    const pages = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ lines: textLines(rand, 20 + Math.floor(rand() * 40)) }));
    write('text', i, buildPdf(pages));
  }
  for (let i = 0; i < mix.scan; i++) write('scan', i, buildPdf([{ images: [{ image: 0, ...full }] }], [scans[i % scans.length]!]));
  for (let i = 0; i < mix['blank-scan']; i++)
    write('blank-scan', i, buildPdf([{ lines: ['7'], images: [{ image: 0, ...full }] }], [blank]));
  for (let i = 0; i < mix.specks; i++) {
    const placed = specks.map((_, k) => ({ image: k, x: 100 + 150 * k, y: 400 + 40 * k, width: 3 + k, height: 3 + k }));
    write('specks', i, buildPdf([{ images: placed }, { images: placed.slice(1) }], specks));
  }
  for (let i = 0; i < mix['huge-image']; i++) {
    const pages = Array.from({ length: 1 + (i % 3) }, () => ({ images: [{ image: 0, ...full }] }));
    write('huge-image', i, buildPdf(pages, [huge[i % huge.length]!]));
  }
  for (let i = 0; i < mix.mixed; i++) {
    const figure = { image: 0, x: 50, y: 50, width: 300, height: 400 };
    const pages = [{ lines: textLines(rand, 30), images: [figure] }, { images: [{ image: 1, ...full }] }, { lines: textLines(rand, 10) }];
    write('mixed', i, buildPdf(pages, [huge[1]!, scans[1]!]));
  }
  for (let i = 0; i < mix.broken; i++) {
    const whole = buildPdf([{ lines: textLines(rand, 30) }, { images: [{ image: 0, ...full }] }], [huge[0]!]);
    const damaged = [
      whole.subarray(0, Math.floor(whole.length * (0.2 + 0.6 * rand()))), // cut off
      Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 2000 }, () => Math.floor(rand() * 256)))]), // header, then noise
      Buffer.from(
        Buffer.from(whole)
          .toString('latin1')
          .replace(/xref[\s\S]*$/, ''),
        'latin1',
      ), // no cross-reference table
      Buffer.from('%PDF-1.4\n%%EOF\n'),
    ];
    write('broken', i, damaged[i % damaged.length]!);
  }
  for (let i = 0; i < mix.large; i++) {
    const pages = Array.from({ length: 300 }, () => ({ lines: textLines(rand, 60) }));
    write('large', i, buildPdf(pages));
  }
  return mix;
}
