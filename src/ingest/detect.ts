import { fileTypeFromBuffer } from 'file-type';
import { IngestError, type DocumentKind } from './types.js';
import { extensionOf } from './loaders/file-name.js';
import { decodeText } from './loaders/text-decoding.js';
import { hasZipSignature, readZipDirectory } from './loaders/zip-directory.js';

/** What a file really is, judged from its bytes first and its name second. */
export interface DetectedType {
  kind: DocumentKind;
  mimeType: string;
}

export const MIME_TYPES: Record<Exclude<DocumentKind, 'image'>, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
  json: 'application/json',
};

/** Images read by OCR, by the MIME type file-type finds in their bytes (APNG is a PNG with frames). */
const OCR_IMAGE_TYPES = new Set(['image/png', 'image/apng', 'image/jpeg', 'image/webp', 'image/gif', 'image/tiff', 'image/bmp']);
const IMAGE_EXTENSIONS = new Set('png apng jpg jpeg jpe jfif webp gif tif tiff bmp dib'.split(' '));

/** Formats whose extension promises a binary document: bytes that are something else are a mistake worth reporting. */
const CLAIMED_BINARY: Record<string, { name: string; short: string }> = {
  pdf: { name: 'a PDF', short: 'PDF' },
  docx: { name: 'a Word document', short: '.docx' },
  docm: { name: 'a Word document', short: '.docx' },
  dotx: { name: 'a Word document', short: '.docx' },
  pptx: { name: 'a PowerPoint presentation', short: '.pptx' },
  pptm: { name: 'a PowerPoint presentation', short: '.pptx' },
  ppsx: { name: 'a PowerPoint presentation', short: '.pptx' },
  xlsx: { name: 'an Excel workbook', short: '.xlsx' },
  xlsm: { name: 'an Excel workbook', short: '.xlsx' },
};

const LEGACY_OFFICE: Record<string, { modern: string }> = {
  doc: { modern: '.docx' },
  dot: { modern: '.docx' },
  xls: { modern: '.xlsx' },
  xlt: { modern: '.xlsx' },
  ppt: { modern: '.pptx' },
  pps: { modern: '.pptx' },
  pot: { modern: '.pptx' },
};

const TEXT_FORMAT_EXTENSIONS: Record<string, Exclude<DocumentKind, 'image'>> = {
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  mdown: 'markdown',
  mkd: 'markdown',
  csv: 'csv',
  tsv: 'csv',
  json: 'json',
  jsonl: 'json',
  ndjson: 'json',
  geojson: 'json',
};

/** Plain text, notes, configuration and source code: read as text. */
const PLAIN_TEXT_EXTENSIONS = new Set(
  (
    'txt text log rst adoc asciidoc org tex bib srt vtt diff patch ' +
    'ts tsx mts cts js jsx mjs cjs py pyi go java kt kts scala groovy gradle c h cc cpp cxx hpp hh cs fs rs rb php swift m mm ' +
    'sh bash zsh fish ps1 bat cmd yaml yml toml ini cfg conf properties env sql r lua pl pm dart ex exs erl hrl hs clj cljs ' +
    'el vim graphql gql proto tf hcl css scss sass less vue svelte xml xsd wsdl cmake mk ' +
    'makefile dockerfile jenkinsfile gemfile rakefile procfile vagrantfile containerfile'
  ).split(' '),
);

/** Extensions that are text on disk but not documents. */
const UNSUPPORTED_TEXT_EXTENSIONS: Record<string, string> = {
  svg: 'image/svg+xml',
  rtf: 'application/rtf',
  eml: 'message/rfc822',
};

/**
 * Finds the kind of a file from its bytes (magic numbers, ZIP entries, UTF-8 validity) and its name.
 * Throws IngestError: `skipped` for files citebot does not read, `failed` for files that claim to be
 * something they are not, or are damaged.
 */
export async function detectKind(bytes: Uint8Array, fileName: string): Promise<DetectedType> {
  const ext = extensionOf(fileName);
  if (bytes.byteLength === 0) throw new IngestError('skipped', 'empty file');

  if (hasPdfSignature(bytes)) return typed('pdf');
  if (hasOleSignature(bytes)) throw oleError(ext);
  if (hasZipSignature(bytes)) return detectZipKind(bytes, ext);

  const sniffed = await fileTypeFromBuffer(bytes);
  const sniffedIsText = sniffed && (sniffed.mime.startsWith('text/') || sniffed.mime === 'application/xml');
  if (sniffed && !sniffedIsText) {
    // Short magic numbers (BMP's "BM", MP3's "ID3") also begin ordinary text: trust text that is named as text.
    if (isTextExtension(ext) && decodeText(bytes) !== undefined) return detectTextKind(bytes, ext);
    const claimed = CLAIMED_BINARY[ext];
    if (OCR_IMAGE_TYPES.has(sniffed.mime) && !claimed) return { kind: 'image', mimeType: sniffed.mime };
    if (claimed)
      throw new IngestError('failed', `not ${claimed.name}: the file is ${sniffed.mime} named .${ext}; share the real ${claimed.short}`);
    throw new IngestError('skipped', `unsupported file type: ${sniffed.mime}`);
  }
  return detectTextKind(bytes, ext);
}

async function detectZipKind(bytes: Uint8Array, ext: string): Promise<DetectedType> {
  const claimed = CLAIMED_BINARY[ext];
  let names: Set<string>;
  try {
    names = new Set((await readZipDirectory(bytes)).map((entry) => entry.name));
  } catch {
    const what = claimed ? claimed.name.replace(/^an? /, '') : 'ZIP archive';
    throw new IngestError('failed', `damaged ${what}: the ZIP structure is unreadable (truncated or corrupt)`);
  }
  // The bytes decide: a workbook named .docx is still read as a workbook.
  if ([...names].some((name) => /^word\/document\d*\.xml$/.test(name))) return typed('docx');
  if (names.has('ppt/presentation.xml')) return typed('pptx');
  if (names.has('xl/workbook.xml')) return typed('xlsx');
  if (names.has('xl/workbook.bin'))
    throw new IngestError('skipped', 'unsupported file type: Excel binary workbook (.xlsb); save it as .xlsx and share it again');

  const mime = (await fileTypeFromBuffer(bytes))?.mime ?? 'application/zip';
  if (claimed) throw new IngestError('failed', `not ${claimed.name}: the file is ${describeMime(mime)}, not a ${claimed.short}`);
  throw new IngestError('skipped', `unsupported file type: ${mime}`);
}

function detectTextKind(bytes: Uint8Array, ext: string): DetectedType {
  const claimed = CLAIMED_BINARY[ext];
  const text = decodeText(bytes);
  if (text === undefined) {
    if (claimed) throw new IngestError('failed', `not ${claimed.name}: the file is damaged or not a ${claimed.short}`);
    if (isTextExtension(ext)) throw new IngestError('failed', 'unreadable: the file is binary data, not text');
    if (IMAGE_EXTENSIONS.has(ext)) throw new IngestError('failed', `damaged image: the bytes are not a readable .${ext} image`);
    throw new IngestError('skipped', 'unsupported file type: unrecognised binary data');
  }

  const looksLikeHtml = sniffHtml(text);
  if (claimed) {
    const what = looksLikeHtml ? 'a web page (HTML)' : 'plain text';
    throw new IngestError('failed', `not ${claimed.name}: the file is ${what} named .${ext}; rename it or share the real ${claimed.short}`);
  }
  // Old Office could save web pages as .doc/.xls, and many tools export tab-separated text named .xls.
  if (LEGACY_OFFICE[ext]) return typed(looksLikeHtml ? 'html' : LEGACY_OFFICE[ext].modern === '.xlsx' ? 'csv' : 'text');
  const unsupported = UNSUPPORTED_TEXT_EXTENSIONS[ext];
  if (unsupported) throw new IngestError('skipped', `unsupported file type: ${unsupported}`);

  const byExtension = TEXT_FORMAT_EXTENSIONS[ext];
  if (byExtension) return typed(byExtension);
  // No extension, an unknown one, or .txt: the content may still be a saved web page.
  if (looksLikeHtml && (ext === '' || ext === 'txt' || !PLAIN_TEXT_EXTENSIONS.has(ext))) return typed('html');
  return typed('text');
}

function typed(kind: Exclude<DocumentKind, 'image'>): DetectedType {
  return { kind, mimeType: MIME_TYPES[kind] };
}

function oleError(ext: string): IngestError {
  const claimed = CLAIMED_BINARY[ext];
  if (ext === 'pdf') return new IngestError('failed', 'not a PDF: the file is a legacy Office document (.doc, .xls or .ppt) named .pdf');
  // Password-protected .docx/.xlsx/.pptx files are stored in the old OLE container.
  if (claimed) return new IngestError('failed', `encrypted ${claimed.name.replace(/^an? /, '')}: remove the password and share it again`);
  const legacy = LEGACY_OFFICE[ext];
  if (legacy) return new IngestError('skipped', `legacy Office format (.${ext}): save it as ${legacy.modern} and share it again`);
  if (ext === 'msg') return new IngestError('skipped', 'unsupported file type: application/vnd.ms-outlook');
  return new IngestError('skipped', 'legacy Office format: save it as .docx, .xlsx or .pptx and share it again');
}

/** "%PDF-" may follow a little junk; readers accept it within the first KiB. */
function hasPdfSignature(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  return head.indexOf('%PDF-', 0, 'latin1') !== -1;
}

/** D0 CF 11 E0: the OLE compound file of .doc, .xls, .ppt (and encrypted OOXML). */
function hasOleSignature(bytes: Uint8Array): boolean {
  return bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
}

function sniffHtml(text: string): boolean {
  return /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>])/i.test(text.slice(0, 4096));
}

function isTextExtension(ext: string): boolean {
  return ext in TEXT_FORMAT_EXTENSIONS || PLAIN_TEXT_EXTENSIONS.has(ext);
}

function describeMime(mime: string): string {
  return mime === 'application/zip' ? 'a ZIP archive' : mime;
}

/**
 * Whether a file is worth downloading, judged from its name and the MIME type its platform reports,
 * before any byte is fetched: returns why not, or undefined. Only clear cases are refused (audio, video,
 * images OCR cannot read, archives, executables); anything plausible is downloaded and judged by its bytes.
 */
export function unsupportedByName(fileName: string, mimeType?: string): string | undefined {
  const ext = extensionOf(fileName);
  if (ext in CLAIMED_BINARY || isTextExtension(ext) || ext in LEGACY_OFFICE || IMAGE_EXTENSIONS.has(ext)) return undefined;
  if (UNSUPPORTED_TEXT_EXTENSIONS[ext]) return `unsupported file type: ${UNSUPPORTED_TEXT_EXTENSIONS[ext]}`;
  const mime = (mimeType ?? '').toLowerCase();
  if (OCR_IMAGE_TYPES.has(mime) || mime === 'image/jpg') return undefined;
  if (/^(image|video|audio|font)\//.test(mime)) return `unsupported file type: ${mime}`;
  if (/(zip|x-tar|gzip|x-7z|x-rar|octet-stream|x-msdownload|x-executable)/.test(mime) && ext) return `unsupported file type: .${ext}`;
  return undefined;
}
