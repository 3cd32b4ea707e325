import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../src/config.js';
import { detectKind, unsupportedByName } from '../src/ingest/detect.js';
import { removeSpacesBetweenCjk } from '../src/ingest/ocr/cjk-spacing.js';
import { imageForOcr } from '../src/ingest/ocr/image-input.js';
import { measureScan, planCleanup, retryPlan } from '../src/ingest/ocr/scan-cleanup.js';
import { ParserPool } from '../src/ingest/parser-pool.js';
import { DEFAULT_LOADER_LIMITS, IngestError, type LoaderLimits, type OcrOptions, type ParsedDocument } from '../src/ingest/types.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, testEnv, type TestCore } from './support/harness.js';
import { cer, comparable } from './support/cer.js';
import { gifWithFrames, scannedPdf } from './support/ocr-files.js';

// Made by test/fixtures/ocr/make-fixtures.py (ImageMagick, img2pdf, Noto CJK).
const OCR_FIXTURES = join(import.meta.dirname, 'fixtures', 'ocr');
const fixture = (name: string) => new Uint8Array(readFileSync(join(OCR_FIXTURES, name)));

const ENGLISH_LINES = ['Error 4012: invoice service timed out', 'Retry the payment after 30 seconds', 'Contact billing@example.com'];
const CHINESE_LINES = ['季度销售报告', '华东地区销售额增长百分之十二', '下次会议在星期三举行'];

function limits(overrides: Partial<LoaderLimits> = {}, ocr: Partial<OcrOptions> = {}): LoaderLimits {
  return { ...DEFAULT_LOADER_LIMITS, ...overrides, ocr: { ...DEFAULT_LOADER_LIMITS.ocr, ...ocr } };
}

// One pool per heap cap, as the core keeps one for PARSER_MEMORY_MB.
const pools = new Map<number, ParserPool>();
function parseDocument(bytes: Uint8Array, name: string, l: LoaderLimits): Promise<ParsedDocument> {
  let pool = pools.get(l.maxParserMemoryMb);
  if (!pool) pools.set(l.maxParserMemoryMb, (pool = new ParserPool(1, l.maxParserMemoryMb)));
  return pool.parse(bytes, name, l);
}
afterAll(async () => {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
});

function parse(name: string, bytes: Uint8Array = fixture(name), l = limits()): Promise<ParsedDocument> {
  return parseDocument(bytes, name, l);
}

async function refusal(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

describe('OCR of images', () => {
  it('reads an English screenshot line by line, located as "image"', async () => {
    const document = await parse('english.png');
    expect(document).toMatchObject({ kind: 'image', mimeType: 'image/png', ocrPages: 1 });
    expect(document.sections).toEqual([{ text: ENGLISH_LINES.join('\n'), location: { section: 'image' }, ocr: true }]);
  });

  it('reads Chinese without the spaces tesseract puts between characters', async () => {
    for (const name of ['chinese.png', 'chinese.jpg']) {
      const document = await parse(name);
      expect(document.sections.map((s) => s.text)).toEqual([CHINESE_LINES.join('\n')]);
    }
  });

  it('reads WebP, TIFF and BMP, and the first frame of a GIF', async () => {
    for (const [name, mimeType] of [
      ['english.webp', 'image/webp'],
      ['english.tiff', 'image/tiff'],
      ['english.bmp', 'image/bmp'],
    ] as const) {
      const document = await parse(name);
      expect({ name, mimeType: document.mimeType }).toEqual({ name, mimeType });
      for (const line of ENGLISH_LINES) expect(document.sections[0]!.text).toContain(line);
    }
    const gif = await parse('two-frames.gif');
    expect(gif.sections[0]!.text).toBe('First frame says pelican');
  });

  it('does not index what OCR guesses in a picture without text', async () => {
    const error = await refusal(parse('no-text.png'));
    expect({ status: error.status, reason: error.reason }).toEqual({ status: 'skipped', reason: 'image has no readable text' });
  });

  it('skips images with a reason when OCR is off', async () => {
    const error = await refusal(parse('english.png', fixture('english.png'), limits({}, { enabled: false })));
    expect({ status: error.status, reason: error.reason }).toEqual({ status: 'skipped', reason: 'image not read: OCR is off (OCR=off)' });
  });

  it('stops OCR that runs past OCR_PAGE_TIMEOUT_S, and the next file is read', async () => {
    const error = await refusal(parse('english.png', fixture('english.png'), limits({}, { pageTimeoutMs: 1 })));
    expect(error.reason).toBe('OCR of the image took longer than 1 ms (OCR_PAGE_TIMEOUT_S)');
    expect((await parse('english.png')).sections[0]!.text).toContain(ENGLISH_LINES[0]);
  });

  it('detects images by their bytes and downloads them from chat', async () => {
    expect(await detectKind(fixture('english.png'), 'shot.png')).toEqual({ kind: 'image', mimeType: 'image/png' });
    expect(await detectKind(fixture('chinese.jpg'), 'photo')).toEqual({ kind: 'image', mimeType: 'image/jpeg' });
    expect(unsupportedByName('Screenshot 2026-01-01.png', 'image/png')).toBeUndefined();
    const broken = await refusal(detectKind(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'diagram.png'));
    expect({ status: broken.status, reason: broken.reason }).toEqual({
      status: 'failed',
      reason: 'damaged image: the bytes are not a readable .png image',
    });
  });
});

describe('OCR of scanned PDFs', () => {
  it('reads an image-only PDF page as p. 1', async () => {
    const document = await parse('scanned.pdf');
    expect(document.ocrPages).toBe(1);
    expect(document.sections).toEqual([
      {
        text: 'Lease agreement for warehouse 7\nThe monthly rent is 2400 euros\nSigned in Rotterdam',
        location: { page: 1 },
        ocr: true,
      },
    ]);
  });

  it('keeps the text layer of text pages and OCRs only the scanned page of a mixed PDF', async () => {
    const document = await parse('mixed.pdf');
    expect(document.ocrPages).toBe(1);
    expect(document.sections).toEqual([
      { text: 'Quarterly safety inspection summary', location: { page: 1 } },
      { text: 'Fire extinguisher pressure checked\nEmergency exit on level 3 blocked', location: { page: 2 }, ocr: true },
    ]);
  });

  it('with OCR off, keeps text pages and says why a scanned PDF gives no text', async () => {
    const off = limits({}, { enabled: false });
    const mixed = await parse('mixed.pdf', fixture('mixed.pdf'), off);
    expect(mixed.sections.map((s) => s.location)).toEqual([{ page: 1 }]);
    expect(mixed.ocrPages).toBe(0);
    const error = await refusal(parse('scanned.pdf', fixture('scanned.pdf'), off));
    expect({ status: error.status, reason: error.reason }).toEqual({
      status: 'skipped',
      reason: 'no text found: the PDF has no text layer (scanned pages are read only with OCR=on)',
    });
  });
});

describe('OCR of noisy scans', () => {
  // Made by bench/fixtures/ocr-noise/make-noisy.py: `page zh 200 1 2 60 4 noisy-chinese.jpg 3` and
  // `page en 200 1 2 60 4 noisy-english.jpg 3` (200 dpi, turned 1°, grey paper, Gaussian noise, JPEG 60).
  const NOISY_CHINESE = [
    '仓库位于上海市浦东新区张江路八号，客户满意度调查结果已经在内网公布',
    '年度预算需要董事会在三月底前批准，请勿在实验室内饮食或吸烟',
    '猎户座集群的维护窗口是每周六凌晨两点到四点，季度销售报告显示华东地区增长百分之十二',
  ];
  const NOISY_ENGLISH = [
    'Version 2.4.1 fixes a memory leak in the image uploader. Submit expense reports before the 5th of each month.',
    'Patients must fast for eight hours before the blood test. Press Ctrl+Shift+P and choose Reload Window to fix it.',
    'The Orion cluster is patched every Saturday between 02:00 and 04:00. Invoice 88213 is overdue by 14 days; please pay by Friday.',
  ];
  // Time is not what these measure (bench/ocr-noise.ts does): a loaded machine may take more than 30 s a page.
  const patient = limits({ timeoutMs: 300_000 }, { pageTimeoutMs: 240_000 });
  const errorRate = (reference: string[], read: string, language: 'en' | 'zh') =>
    cer([{ reference: comparable(reference.join('\n'), language), read: comparable(read, language) }]);

  it('reads a noisy, tilted 200-dpi Chinese scan (read as it is, every line is dropped as noise)', async () => {
    const document = await parse('noisy-chinese.jpg', fixture('noisy-chinese.jpg'), patient);
    expect(errorRate(NOISY_CHINESE, document.sections[0]!.text, 'zh')).toBeLessThan(0.08);
  }, 300_000);

  it('reads a noisy, tilted 200-dpi English scan', async () => {
    const document = await parse('noisy-english.jpg', fixture('noisy-english.jpg'), patient);
    expect(errorRate(NOISY_ENGLISH, document.sections[0]!.text, 'en')).toBeLessThan(0.02);
  }, 300_000);

  it('measures skew, noise and line height: a noisy scan is straightened, enlarged and smoothed, a clean screenshot only enlarged', async () => {
    const noisy = await measureScan(await imageForOcr(fixture('noisy-chinese.jpg')));
    expect(noisy.skewDeg).toBe(1);
    expect(noisy.noise).toBeGreaterThan(10);
    expect(noisy.lineHeightPx).toBeGreaterThan(20);
    expect(noisy.lineHeightPx).toBeLessThan(35);
    expect(planCleanup(noisy, 1287, 295)).toEqual({ deskewDeg: 1, scale: 1.7, denoise: true });

    const clean = await measureScan(await imageForOcr(fixture('english.png')));
    expect({ skewDeg: clean.skewDeg, noisy: clean.noise > 6 }).toEqual({ skewDeg: 0, noisy: false });
    expect(planCleanup(clean, 520, 167)).toMatchObject({ deskewDeg: 0, denoise: false });
  });

  it("reads an unsure page again at another size, within the page's bounds", () => {
    const plan = { deskewDeg: 1, scale: 1.7, denoise: true };
    expect(retryPlan(plan, 1287, 295)).toEqual({ ...plan, scale: 2.3 });
    // No room to grow (4096 px a side): smaller instead; neither, no second reading.
    expect(retryPlan({ ...plan, scale: 1.5 }, 2700, 1000)).toEqual({ ...plan, scale: 1 });
    expect(retryPlan({ ...plan, scale: 1 }, 4096, 1000)).toBeUndefined();
    // Read as it was: cleaned and doubled.
    expect(retryPlan(undefined, 1000, 500)).toEqual({ deskewDeg: 0, scale: 2, denoise: true });
  });
});

describe('hostile images and scans', () => {
  it('refuses a 20000 x 20000 image from its header, before decoding', async () => {
    const error = await refusal(parse('huge-dimensions.png'));
    expect(error.reason).toBe('image too large: 20000 × 20000 pixels (400 megapixels), the limit is 50 megapixels');
  });

  it('refuses a decompression bomb (64 megapixels in 17 KB) from its header', async () => {
    expect(fixture('bomb.png').byteLength).toBeLessThan(20_000);
    const error = await refusal(parse('bomb.png'));
    expect(error.reason).toBe('image too large: 8000 × 8000 pixels (64 megapixels), the limit is 50 megapixels');
  });

  it('reads only the first frame of a GIF with 5000 frames', async () => {
    const document = await parse('animation.gif', gifWithFrames(fixture('two-frames.gif'), 5000));
    expect(document.sections[0]!.text).toBe('First frame says pelican');
  });

  it('reports a corrupt JPEG, and other cut-off images, as damaged', async () => {
    const error = await refusal(parse('corrupt.jpg'));
    expect({ status: error.status, reason: error.reason }).toEqual({
      status: 'failed',
      reason: 'damaged image: premature end of JPEG image',
    });
    const bmp = fixture('english.bmp');
    const cutBmp = await refusal(parse('cut.bmp', bmp.subarray(0, 400)));
    expect(cutBmp.reason).toBe(`damaged image: the BMP is cut off (400 of ${bmp.byteLength} bytes)`);
    const cutGif = await refusal(parse('cut.gif', fixture('two-frames.gif').subarray(0, 300)));
    expect(cutGif.reason).toMatch(/^damaged image: .*GIF/);
    // The engine is still there for the next image.
    expect((await parse('english.bmp')).sections[0]!.text).toContain(ENGLISH_LINES[0]);
  });

  it('bounds a 500-page scan by MAX_PAGES, and by FILE_TIMEOUT_S with the page it reached', async () => {
    const pdf = scannedPdf(fixture('long-scan-page.jpg'), 500);
    const tooMany = await refusal(parse('scan-500.pdf', pdf, limits({ maxPages: 100 })));
    expect(tooMany.reason).toBe('too many pages (500 > 100, MAX_PAGES)');

    const outOfTime = await refusal(parse('scan-500.pdf', pdf, limits({ timeoutMs: 6000 }, { pageTimeoutMs: 5000 })));
    expect(outOfTime.reason).toMatch(
      /^OCR ran out of time at p\. \d+: the file takes longer than FILE_TIMEOUT_S to read; raise it or split the file$/,
    );
  });
});

describe('OCR in an ingest batch', () => {
  let ollama: OllamaDouble;
  let t: TestCore;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    t = await createTestCore(ollama);
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
  });

  it('indexes screenshots and scans among hostile files, reports each, and answers from the OCR text', async () => {
    const scope = 'local:default';
    const indexer = await t.core.indexer();
    const results = await indexer.ingestAll([
      memorySource(scope, 'huge-dimensions.png', fixture('huge-dimensions.png')),
      memorySource(scope, 'corrupt.jpg', fixture('corrupt.jpg')),
      memorySource(scope, 'error-dialog.png', fixture('english.png')),
      memorySource(scope, '会议.jpg', fixture('chinese.jpg')),
      memorySource(scope, 'mixed.pdf', fixture('mixed.pdf')),
    ]);
    expect(results.map((r) => [r.source, r.status, r.ocrPages])).toEqual([
      ['huge-dimensions.png', 'failed', undefined],
      ['corrupt.jpg', 'failed', undefined],
      ['error-dialog.png', 'indexed', 1],
      ['会议.jpg', 'indexed', 1],
      ['mixed.pdf', 'indexed', 1],
    ]);

    const chain = await t.core.answerChain();
    const english = await chain.invoke({ question: 'What does error 4012 mean?', scopes: [scope] });
    expect(english.citations[0]).toMatchObject({ source: 'error-dialog.png', location: 'image' });
    const chinese = await chain.invoke({ question: '华东地区销售额增长了多少？', scopes: [scope] });
    expect(chinese.citations[0]).toMatchObject({ source: '会议.jpg', location: 'image' });
    const scanned = await chain.invoke({ question: 'Which emergency exit was blocked?', scopes: [scope] });
    expect(scanned.citations[0]).toMatchObject({ source: 'mixed.pdf', location: 'p. 2' });
  });
});

describe('OCR settings', () => {
  const settings = (overrides: Record<string, string>) =>
    loadSettings({ env: testEnv('http://127.0.0.1:1', overrides).env, dotenvDir: false });

  it('default to on, English + Simplified Chinese, 30 s a page', () => {
    expect(settings({})).toMatchObject({ OCR: 'on', OCR_LANGS: ['eng', 'chi_sim'], OCR_PAGE_TIMEOUT_S: 30 });
  });

  it('refuse a language whose data is not installed, an unknown switch, and a page limit beyond the file limit', () => {
    expect(() => settings({ OCR_LANGS: 'eng+fra' })).toThrow(/OCR_LANGS: OCR language fra is not installed.*@tesseract\.js-data\/<code>/);
    expect(() => settings({ OCR: 'yes' })).toThrow(ConfigError);
    expect(() => settings({ OCR_PAGE_TIMEOUT_S: '90', FILE_TIMEOUT_S: '60' })).toThrow(
      /OCR_PAGE_TIMEOUT_S: must not exceed FILE_TIMEOUT_S/,
    );
  });
});

describe('CJK spacing', () => {
  it('removes spaces between CJK characters and keeps them around Latin words', () => {
    expect(removeSpacesBetweenCjk('华东 地 区 销售 额 增长 百 分 之 十 二')).toBe('华东地区销售额增长百分之十二');
    expect(removeSpacesBetweenCjk('使用 API 接口 ， 然后 重试')).toBe('使用 API 接口，然后重试');
    expect(removeSpacesBetweenCjk('Retry the payment')).toBe('Retry the payment');
  });
});
