import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { detectKind } from '../src/ingest/detect.js';
import { joinLines, layoutPageText, type PositionedRun } from '../src/ingest/loaders/pdf-text.js';
import { normalizeWhitespace } from '../src/ingest/loaders/normalize.js';
import { decodeText } from '../src/ingest/loaders/text-decoding.js';
import { parseDocumentInProcess } from '../src/ingest/parse.js';
import { assertZipIsSafe } from '../src/ingest/loaders/zip-guard.js';
import { DEFAULT_LOADER_LIMITS, IngestError } from '../src/ingest/types.js';

const FIXTURES = new URL('./fixtures/docs/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const text = (content: string): Uint8Array => new TextEncoder().encode(content);
const bytesOf = (...values: number[]): Uint8Array => new Uint8Array([...values, ...new Array<number>(64).fill(0)]);

const PNG = bytesOf(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52);
const OLE = bytesOf(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
const MP3 = new Uint8Array([...text('ID3'), 0x03, 0, 0, 0, 0, 0, 0x10, ...new Array<number>(64).fill(0xff)]);

function randomBytes(length: number): Uint8Array {
  // A fixed linear congruential sequence: noise that is the same on every run.
  const bytes = new Uint8Array(length);
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

async function refusal(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

async function zipWith(entries: Record<string, string>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(entries)) zip.file(name, content);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

describe('detectKind', () => {
  it('detects each supported kind with its MIME type', async () => {
    const cases: [string, string, string][] = [
      ['pdflatex-4-pages.pdf', 'pdf', 'application/pdf'],
      ['headings.docx', 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['prs-notes.pptx', 'pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
      ['sales.xlsx', 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['contacts.csv', 'csv', 'text/csv'],
      ['page.html', 'html', 'text/html'],
      ['guide.md', 'markdown', 'text/markdown'],
      ['config.json', 'json', 'application/json'],
      ['成公英.txt', 'text', 'text/plain'],
      ['chunker.py', 'text', 'text/plain'],
    ];
    for (const [name, kind, mimeType] of cases) {
      expect(await detectKind(fixture(name), name), name).toEqual({ kind, mimeType });
    }
  });

  it('trusts the bytes over the extension for real documents', async () => {
    expect((await detectKind(fixture('pdflatex-4-pages.pdf'), 'report.txt')).kind).toBe('pdf');
    expect((await detectKind(fixture('sales.xlsx'), 'budget.docx')).kind).toBe('xlsx');
    expect((await detectKind(fixture('headings.docx'), 'download')).kind).toBe('docx');
    expect((await detectKind(text('<!DOCTYPE html><html><body><p>hi</p></body></html>'), 'saved-page')).kind).toBe('html');
    expect((await detectKind(text('<html><body>hi</body></html>'), 'saved-page.txt')).kind).toBe('html');
    expect((await detectKind(text('# Title\n\nBody'), 'README')).kind).toBe('text');
    expect((await detectKind(text('all:\n\tcc main.c\n'), 'Makefile')).kind).toBe('text');
    // Old "save as web page" Office files and tab-separated exports named .xls are text.
    expect((await detectKind(text('<html><body><table><tr><td>1</td></tr></table></body></html>'), 'report.xls')).kind).toBe('html');
    expect((await detectKind(text('Name\tCity\nAnna\tBerlin\n'), 'export.xls')).kind).toBe('csv');
  });

  it('reports files that are not what their extension says', async () => {
    const cases: [Uint8Array, string, string][] = [
      [
        text('Quarterly report, final version.\n'),
        'report.pdf',
        'not a PDF: the file is plain text named .pdf; rename it or share the real PDF',
      ],
      [
        text('<!doctype html><html><body>Please sign in</body></html>'),
        'invoice.pdf',
        'not a PDF: the file is a web page (HTML) named .pdf; rename it or share the real PDF',
      ],
      [PNG, 'scan.pdf', 'not a PDF: the file is image/png named .pdf; share the real PDF'],
      [randomBytes(4096), 'notes.docx', 'not a Word document: the file is damaged or not a .docx'],
      [randomBytes(4096), 'deck.pptx', 'not a PowerPoint presentation: the file is damaged or not a .pptx'],
      [randomBytes(4096), 'notes.txt', 'unreadable: the file is binary data, not text'],
      [text('just text'), 'budget.xlsx', 'not an Excel workbook: the file is plain text named .xlsx; rename it or share the real .xlsx'],
      [OLE, 'secret.docx', 'encrypted Word document: remove the password and share it again'],
    ];
    for (const [bytes, name, reason] of cases) {
      const error = await refusal(detectKind(bytes, name));
      expect({ name, status: error.status, reason: error.reason }).toEqual({ name, status: 'failed', reason });
    }
    const plainZip = await zipWith({ 'photos/readme.txt': 'holiday' });
    const error = await refusal(detectKind(plainZip, 'letter.docx'));
    expect(error.reason).toBe('not a Word document: the file is a ZIP archive, not a .docx');
  });

  it('skips recognised files citebot does not read', async () => {
    const cases: [Uint8Array, string, string][] = [
      [new Uint8Array(0), 'empty.txt', 'empty file'],
      [MP3, 'talk.mp3', 'unsupported file type: audio/mpeg'],
      [OLE, 'old.doc', 'legacy Office format (.doc): save it as .docx and share it again'],
      [OLE, 'old.xls', 'legacy Office format (.xls): save it as .xlsx and share it again'],
      [OLE, 'old.ppt', 'legacy Office format (.ppt): save it as .pptx and share it again'],
      [randomBytes(4096), 'firmware.bin', 'unsupported file type: unrecognised binary data'],
      [text('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'logo.svg', 'unsupported file type: image/svg+xml'],
    ];
    for (const [bytes, name, reason] of cases) {
      const error = await refusal(detectKind(bytes, name));
      expect({ name, status: error.status, reason: error.reason }).toEqual({ name, status: 'skipped', reason });
    }
    const archive = await refusal(detectKind(await zipWith({ 'a.txt': 'a' }), 'backup.zip'));
    expect(archive.reason).toBe('unsupported file type: application/zip');
  });

  it('reads text whose first bytes look like a short magic number', async () => {
    // "BM" starts a BMP image, and also this CSV.
    expect((await detectKind(text('BMW,Model\nBMW,i3\n'), 'cars.csv')).kind).toBe('csv');
  });

  it('reports a ZIP-based document whose archive is cut off', async () => {
    const docx = fixture('headings.docx');
    const error = await refusal(detectKind(docx.subarray(0, docx.length - 40), 'cut.docx'));
    expect(error.status).toBe('failed');
    expect(error.reason).toBe('damaged Word document: the ZIP structure is unreadable (truncated or corrupt)');
  });
});

describe('decodeText', () => {
  it('reads UTF-8 with and without BOM, UTF-16 with BOM, and Windows-1252', () => {
    expect(decodeText(text('\ufeffhello'))).toBe('hello');
    expect(decodeText(text('中文'))).toBe('中文');
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from('hé', (c) => [c.charCodeAt(0), 0]).flat()]);
    expect(decodeText(utf16)).toBe('hé');
    expect(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x94]))).toBe('café “q”');
  });

  it('keeps valid UTF-8 with stray control characters, removing them (0x1A as in scraped Chinese web text)', async () => {
    const scraped = '长江是中国第一大河\x1a，全长约六千三百公里。\x1a\x08长江流经十一个省级行政区。\x1b[31m\f第二页';
    expect(decodeText(text(scraped))).toBe('长江是中国第一大河，全长约六千三百公里。长江流经十一个省级行政区。\f第二页');
    const document = await parseDocumentInProcess(text(scraped), '长江.txt');
    expect(document.sections.map((s) => s.text)).toEqual(['长江是中国第一大河，全长约六千三百公里。长江流经十一个省级行政区。', '第二页']);
  });

  it('rejects binary data', () => {
    expect(decodeText(text('\x01\x02\x03\x04 mostly controls \x05\x06\x07\x08\x0e\x0f\x10\x11'))).toBeUndefined();
    expect(decodeText(randomBytes(2000))).toBeUndefined();
    expect(decodeText(new Uint8Array([0x61, 0, 0, 0, 0x62, 0, 0, 0]))).toBeUndefined();
  });
});

describe('PDF line joining', () => {
  it('removes line breaks between CJK characters, hyphenation, and wraps the rest with a space', () => {
    expect(joinLines(['后来它又成为斯摩棱斯克公国的一', '座要塞，并一度'])).toBe('后来它又成为斯摩棱斯克公国的一座要塞，并一度');
    expect(joinLines(['句子结束。', '「下一句」'])).toBe('句子结束。「下一句」');
    expect(joinLines(['an exam-', 'ple of hyphenation'])).toBe('an example of hyphenation');
    expect(joinLines(['from 1990-', '1995 and Jean-', 'Paul'])).toBe('from 1990-1995 and Jean-Paul');
    expect(joinLines(['one line ', ' and the next'])).toBe('one line and the next');
    expect(joinLines(['한국어 문장', '다음 줄'])).toBe('한국어 문장 다음 줄'); // Korean separates words with spaces
  });

  it('keeps paragraph breaks at large gaps and size changes, and lines from runs', () => {
    const run = (text: string, y: number, options: Partial<PositionedRun> = {}): PositionedRun => ({
      text,
      y,
      x: 72,
      width: text.length * 5,
      height: 10,
      endsLine: true,
      ...options,
    });
    const runs = [
      run('A Title', 700, { height: 18 }),
      run('First paragraph line one and', 670),
      run('line two.', 658),
      run('Second para', 620, { endsLine: false }),
      run('graph', 620, { x: 72 + 11 * 5 }), // touching runs: no space
      run('continues', 608, { endsLine: false }),
      run('here', 608, { x: 72 + 9 * 5 + 4 }), // a visible gap: a space
    ];
    expect(layoutPageText(runs)).toBe('A Title\n\nFirst paragraph line one and line two.\n\nSecond paragraph continues here');
  });
});

describe('normalizeWhitespace', () => {
  it('collapses spaces, trims lines and keeps at most one blank line', () => {
    expect(normalizeWhitespace('  a \t\u00a0 b  \r\n\r\n\r\n\n  c\u00ad d\u200b  \n')).toBe('a b\n\nc d');
  });

  it('can keep indentation', () => {
    expect(normalizeWhitespace('if x:\n    y()   \n', { keepIndent: true })).toBe('if x:\n    y()');
  });
});

describe('assertZipIsSafe', () => {
  it('passes ordinary documents and reports non-archives as damaged', async () => {
    await expect(assertZipIsSafe(fixture('headings.docx'), DEFAULT_LOADER_LIMITS)).resolves.toBeUndefined();
    const error = await refusal(assertZipIsSafe(text('not a zip at all'), DEFAULT_LOADER_LIMITS));
    expect(error.status).toBe('failed');
    expect(error.reason).toMatch(/^damaged file: /);
  });
});
