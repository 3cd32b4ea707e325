/**
 * Bytes -> text for the text-based formats, or undefined when the bytes are not text.
 * UTF-8 (with or without BOM) first; UTF-16 when it has a BOM; Windows-1252 as a last resort,
 * because files saved by older Windows tools are common and still clearly text.
 * Stray control characters (0x1A and the like, common in text scraped from the web) are removed.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  const unicode = decodeWithBom(bytes) ?? decodeStrictUtf8(bytes);
  // Binary data is almost never valid UTF-8, so valid UTF-8 is text unless it is full of controls or
  // holds NULs (UTF-16 without a BOM, binary records); Latin-1 decodes anything, so it must look clean.
  if (unicode !== undefined) return !unicode.includes('\0') && looksLikeText(unicode, 0.1) ? stripStrayControls(unicode) : undefined;
  const legacy = decodeWindows1252(bytes);
  return looksLikeText(legacy) ? stripStrayControls(legacy) : undefined;
}

/** Control characters other than tab, line ends and form feed (a page break), and ANSI colour codes. */
// eslint-disable-next-line no-control-regex
const STRAY_CONTROLS = /\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/g;

export function stripStrayControls(text: string): string {
  return text.replace(STRAY_CONTROLS, '');
}

function decodeWithBom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return undefined;
}

function decodeStrictUtf8(bytes: Uint8Array): string | undefined {
  try {
    // fatal: invalid sequences throw instead of becoming U+FFFD; the BOM is stripped.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// Windows-1252 differs from Latin-1 only in 0x80-0x9F (curly quotes, dashes, euro sign). Node's TextDecoder
// decodes 'windows-1252' as Latin-1, which turns those into invisible control characters: map them here.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (char) => CP1252_HIGH[char.charCodeAt(0) - 0x80]!);
}

/** Text has almost no control characters; binary data decoded as text is full of them. */
export function looksLikeText(text: string, maxControlShare = 0.01): boolean {
  const sample = text.length > 1_000_000 ? text.slice(0, 1_000_000) : text;
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    const isControl =
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c && code !== 0x1b) || (code >= 0x7f && code <= 0x9f);
    if (isControl) controls++;
  }
  return controls <= sample.length * maxControlShare;
}
