import { readFileSync, readdirSync } from 'node:fs';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocumentInProcess } from '../src/ingest/parse.js';
import { ParserPool } from '../src/ingest/parser-pool.js';
import { DEFAULT_LOADER_LIMITS, IngestError, type LoaderLimits, type ParsedDocument } from '../src/ingest/types.js';

const FIXTURES = new URL('./fixtures/docs/', import.meta.url);

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

function parse(name: string, limits: Partial<LoaderLimits> = {}): Promise<ParsedDocument> {
  return parseDocumentInProcess(fixture(name), name, { ...DEFAULT_LOADER_LIMITS, ...limits });
}

/** The IngestError a promise rejects with (fails the test if it resolves or rejects with something else). */
async function refusal(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(IngestError);
  const ingestError = error as IngestError;
  expectHumanReason(ingestError.reason);
  return ingestError;
}

function expectHumanReason(reason: string): void {
  expect(reason).not.toContain('\n');
  expect(reason).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames
  expect(reason.length).toBeLessThan(200);
  expect(reason).toMatch(/^[a-z]/);
}

function allText(document: ParsedDocument): string {
  return document.sections.map((section) => section.text).join('\n\n');
}

describe('PDF loader', () => {
  it('gives one section per page with 1-based page numbers', async () => {
    const document = await parse('pdflatex-4-pages.pdf');
    expect(document.kind).toBe('pdf');
    expect(document.mimeType).toBe('application/pdf');
    expect(document.sections.map((section) => section.location)).toEqual([{ page: 1 }, { page: 2 }, { page: 3 }, { page: 4 }]);
    expect(document.sections[0]!.text).toMatch(/^Hello, here is some text without a meaning\./);
    // Each page ends with its printed page number, in its own paragraph.
    document.sections.forEach((section, index) => expect(section.text.endsWith(`\n\n${index + 1}`)).toBe(true));
    // Wrapped lines inside a paragraph are joined with a space.
    expect(document.sections[1]!.text).toContain('Is there a difference between this text and some nonsense');
  });

  it('joins Chinese lines without spaces and keeps paragraph breaks', async () => {
    const document = await parse('莫扎伊斯克.pdf');
    expect(document.sections.map((section) => section.location.page)).toEqual([1, 2, 3]);
    const text = allText(document);
    // Phrases of the CMRC source passage that the PDF breaks across lines ("…公国的一" / "座要塞…").
    expect(text).toContain('后来它又成为斯摩棱斯克公国的一座要塞，并一度为斯摩棱斯克王公费奥多尔·罗斯季斯拉维奇所有。');
    expect(text).toContain('1517 年最后一个莫扎伊斯克王公瓦西里·谢苗诺维奇死后，此地被并入莫斯科公国。');
    expect(text).not.toMatch(/\p{Script=Han}\n\p{Script=Han}/u);
    expect(document.sections[0]!.text.startsWith('莫扎伊斯克\n\nPart 1\n\n莫扎伊斯克（）俄罗斯莫斯科州的一个城镇')).toBe(true);
  });

  it('refuses a PDF with more pages than the limit', async () => {
    const error = await refusal(parse('pdflatex-4-pages.pdf', { maxPages: 3 }));
    expect(error.status).toBe('failed');
    expect(error.reason).toBe('too many pages (4 > 3, MAX_PAGES)');
  });

  it('reports a PDF with neither text nor images', async () => {
    const error = await refusal(parseDocumentInProcess(blankPdf(), 'blank.pdf'));
    expect(error.status).toBe('failed');
    expect(error.reason).toBe('no text found: the PDF has neither text nor scanned pages');
  });
});

describe('DOCX loader', () => {
  it('uses the heading path as the section and renders tables as rows', async () => {
    const document = await parse('headings.docx');
    expect(document.kind).toBe('docx');
    expect(document.sections).toEqual([
      { text: 'This document explains how citebot stores chunks.', location: { section: 'Storage Design' } },
      { text: 'Every file has a size limit.', location: { section: 'Storage Design > Limits' } },
      { text: 'PDF files may have at most 2000 pages.', location: { section: 'Storage Design > Limits > Per format' } },
      {
        text: 'Backend | Persistence\nsqlite | on disk\nmemory | none\n\nChroma is optional.',
        location: { section: 'Storage Design > Backends' },
      },
    ]);
  });

  it('reads a real converted document section by section', async () => {
    const document = await parse('Huguenot.docx');
    const part2 = document.sections.find((section) => section.location.section === 'Huguenot > Part 2');
    expect(part2?.text).toMatch(/^A term used originally in derision, Huguenot has unclear origins\./);
    expect(document.sections.every((section) => section.location.section?.startsWith('Huguenot > Part '))).toBe(true);
  });

  it('reads tables, lists and footnotes of mammoth samples', async () => {
    expect(allText(await parse('tables.docx'))).toBe('Above\n\nTop left | Top right\nBottom left | Bottom right\n\nBelow');
    expect(allText(await parse('simple-list.docx'))).toBe('- Apple\n- Banana');
    const footnotes = allText(await parse('footnotes.docx'));
    expect(footnotes).toContain('1. A tachyon walks into a bar.\n2. Fin.');
    expect(footnotes).not.toContain('↑');
  });
});

describe('PPTX loader', () => {
  it('appends speaker notes to their slide, without the notes page number', async () => {
    const document = await parse('prs-notes.pptx');
    expect(document.sections).toEqual([{ text: 'Notes: Notes', location: { slide: 1 } }]);
  });

  it('reads text inside grouped shapes, nested groups and tables', async () => {
    const document = await parse('grouped-text.pptx');
    expect(document.sections).toHaveLength(1);
    expect(document.sections[0]!.location).toEqual({ slide: 1 });
    expect(document.sections[0]!.text).toBe(
      'Grouped rounded rectangle\n\nGrouped oval\n\nGrouped triangle\n\nLone rectangle\n\nDeeply grouped caption\n\nQuarter | Revenue\nQ1 | 1.2 M&EUR',
    );
  });

  it('skips a presentation whose shapes hold no text', async () => {
    const error = await refusal(parse('shp-groupshape.pptx'));
    expect(error.status).toBe('skipped');
    expect(error.reason).toBe('empty document: no text found');
  });

  it('numbers slides in presentation order, not file order', async () => {
    const original = await parse('1973-oil-crisis.pptx');
    expect(original.sections).toHaveLength(25);
    expect(original.sections[0]).toEqual({ text: '1973 oil crisis', location: { slide: 1 } });
    expect(original.sections[1]!.text).toMatch(/^Part 1\n\nThe 1973 oil crisis began in October 1973/);

    // Move the second slide first in the slide list; the slide files keep their names.
    const zip = await JSZip.loadAsync(fixture('1973-oil-crisis.pptx'));
    const presentation = await zip.file('ppt/presentation.xml')!.async('string');
    const reordered = presentation.replace(/(<p:sldId [^>]*\/>)\s*(<p:sldId [^>]*\/>)/, '$2$1');
    expect(reordered).not.toBe(presentation);
    zip.file('ppt/presentation.xml', reordered);
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    const document = await parseDocumentInProcess(bytes, 'reordered.pptx');
    expect(document.sections[0]).toEqual({ text: original.sections[1]!.text, location: { slide: 1 } });
    expect(document.sections[1]).toEqual({ text: '1973 oil crisis', location: { slide: 2 } });
  });

  it('refuses more slides than the limit', async () => {
    const error = await refusal(parse('1973-oil-crisis.pptx', { maxSlides: 10 }));
    expect(error.reason).toBe('too many slides (25 > 10)');
  });
});

describe('spreadsheet loaders', () => {
  it('reads XLSX sheets as header-prefixed rows in groups of 50', async () => {
    const document = await parse('sales.xlsx');
    expect(document.kind).toBe('xlsx');
    const sales = document.sections.filter((section) => section.location.sheet === 'Q1 Sales');
    expect(sales).toHaveLength(3); // 120 rows
    expect(sales.map((section) => section.text.split('\n').length)).toEqual([50, 50, 20]);
    expect(sales[0]!.text.split('\n')[0]).toBe('Region: South; Product: Widget 1; Units: 3; Revenue: 9.5');
    expect(sales[2]!.text.split('\n').at(-1)).toBe('Region: North; Product: Widget 120; Units: 360; Revenue: 1140');
  });

  it('shows what a reader sees: formula results, rich text, link text, dates; a merged title is not the header', async () => {
    const document = await parse('sales.xlsx');
    const notes = document.sections.filter((section) => section.location.sheet === 'Notes');
    expect(notes).toEqual([
      {
        text: [
          'Quarterly summary',
          'Item: Total units; Value: 21780; Remark: checked twice',
          'Item: Report; Value: intranet page; Remark: internal',
          'Item: Closed on; Value: 2024-03-31',
        ].join('\n'),
        location: { sheet: 'Notes' },
      },
    ]);
  });

  it('reads CSV with the file name as sheet, quoted fields and blank rows', async () => {
    const document = await parse('contacts.csv');
    expect(document.kind).toBe('csv');
    expect(document.sections).toEqual([
      {
        text: 'Name: Müller, Anna; City: Berlin; Notes: likes "quotes"\nName: Li Wei; City: 上海\nName: Omar; City: Cairo; Notes: on leave',
        location: { sheet: 'contacts' },
      },
    ]);
  });

  it('refuses more rows than the limit', async () => {
    expect((await refusal(parse('sales.xlsx', { maxRows: 100 }))).reason).toBe('too many rows (126 > 100)');
    expect((await refusal(parse('contacts.csv', { maxRows: 2 }))).reason).toBe('too many rows (4 > 2)');
  });
});

describe('HTML loader', () => {
  it('keeps the main text with heading paths and drops page furniture', async () => {
    const document = await parse('page.html');
    expect(document.kind).toBe('html');
    expect(document.sections).toEqual([
      { text: 'Version 2.4 adds citations & faster indexing of large files.', location: { section: 'Release 2.4' } },
      {
        text: 'Stop the bot before upgrading.\n\n- Back up the data/ folder\n- Run npm ci',
        location: { section: 'Release 2.4 > Upgrading' },
      },
      {
        text: 'Setting | Old default | New default\nMAX_FILE_MB | 20 | 50',
        location: { section: 'Release 2.4 > Upgrading > Breaking changes' },
      },
      {
        text: 'Scanned PDFs are not read: OCR is not supported.\nUse a text PDF instead.',
        location: { section: 'Release 2.4 > Known issues' },
      },
    ]);
    const text = allText(document);
    for (const noise of [
      'tracking',
      'Acme Docs',
      'Pricing',
      'Cookie',
      'Related',
      'helpful',
      'chart label',
      'JavaScript',
      'rights reserved',
      'late script',
      'should not be indexed',
    ]) {
      expect(text).not.toContain(noise);
    }
  });

  it('reads a real page without its nav and footer', async () => {
    const document = await parse('Warsaw.html');
    const text = allText(document);
    expect(document.sections[0]!.location).toEqual({ section: 'Warsaw > Part 1' });
    expect(document.sections[0]!.text).toMatch(/^Warsaw \(Polish: Warszawa/);
    expect(text).toContain('Today Warsaw is considered an "Alpha–" global city'); // &quot; decoded
    expect(text).toContain("Warsaw's economy");
    expect(text).not.toContain('Home | About');
    expect(text).not.toContain('Footer text');
    expect(text).not.toContain('tracking');
  });
});

describe('Markdown loader', () => {
  it('uses the heading path, skips front matter and strips markup', async () => {
    const document = await parse('guide.md');
    expect(document.kind).toBe('markdown');
    expect(document.sections).toEqual([
      { text: 'Citebot answers questions only from the files shared in a channel.', location: { section: 'Operator guide' } },
      {
        text: 'Install with npm ci, then configure the tokens:\n\n1. Create a Slack app\n2. Copy the bot token into .env\n\nexport SLACK_BOT_TOKEN=xoxb-example\ncitebot serve',
        location: { section: 'Operator guide > Installing' },
      },
      {
        text: 'Files larger than the limit are skipped.\n\nSetting | Default\nMAX_FILE_MB | 50\nTIMEOUT_S | 60\n\nTip: raise the limit only if the machine has memory to spare.',
        location: { section: 'Operator guide > Limits > File size' },
      },
    ]);
  });

  it('reads a real converted article', async () => {
    const document = await parse('Normans.md');
    expect(document.sections[0]!.location).toEqual({ section: 'Normans > Part 1' });
    expect(document.sections[0]!.text).toMatch(/^The Normans \(Norman: Nourmands; French: Normands; Latin: Normanni\)/);
  });
});

describe('text and JSON loaders', () => {
  it('reads plain text whole, with Chinese intact', async () => {
    const document = await parse('成公英.txt');
    expect(document.kind).toBe('text');
    expect(document.sections).toHaveLength(1);
    expect(document.sections[0]!.location).toEqual({});
    expect(document.sections[0]!.text).toMatch(/^成公英\n\n成公英，表字不详，金城人，东汉末群雄韩遂的信任将领。/);
  });

  it('keeps the indentation of source code', async () => {
    const document = await parse('chunker.py');
    expect(document.kind).toBe('text');
    expect(document.sections[0]!.text).toContain('    for start in range(0, len(text), size):\n        pieces.append(');
  });

  it('normalizes CRLF, strips the BOM and splits pages at form feeds', async () => {
    const bytes = new TextEncoder().encode('\ufeffFirst  page\r\nline two\r\n\r\n\r\n\r\nafter gap\fSecond page');
    const document = await parseDocumentInProcess(bytes, 'printout.txt');
    expect(document.sections).toEqual([
      { text: 'First page\nline two\n\nafter gap', location: { page: 1 } },
      { text: 'Second page', location: { page: 2 } },
    ]);
  });

  it('renders JSON as path: value lines grouped by top-level key', async () => {
    const document = await parse('config.json');
    expect(document.kind).toBe('json');
    expect(document.sections).toEqual([
      { text: 'name: citebot', location: {} },
      { text: 'storage.backend: sqlite\nstorage.path: data/index.db\nstorage.options.wal: true', location: { section: 'storage' } },
      {
        text: 'channels[0].id: C01\nchannels[0].scope: engineering\nchannels[1].id: C02\nchannels[1].scope: support\nchannels[1].notes: null',
        location: { section: 'channels' },
      },
      { text: 'limits["max file mb"]: 50\nlimits.timeout_s: 60', location: { section: 'limits' } },
    ]);
  });

  it('reads JSON Lines as an array of records', async () => {
    const bytes = new TextEncoder().encode('{"q":"a?","a":1}\n\n{"q":"b?","a":2}\n');
    const document = await parseDocumentInProcess(bytes, 'qa.jsonl');
    expect(document.sections).toEqual([{ text: '[0].q: a?\n[0].a: 1\n[1].q: b?\n[1].a: 2', location: { section: '[0]–[1]' } }]);
  });

  it('reports invalid JSON in one line', async () => {
    const error = await refusal(parseDocumentInProcess(new TextEncoder().encode('{"a": 1,,}'), 'broken.json'));
    expect(error.status).toBe('failed');
    expect(error.reason).toMatch(/^invalid JSON: /);
  });
});

describe('broken files', () => {
  const expected: Record<string, { status: IngestError['status']; reason: RegExp }> = {
    'binary-noise.txt': { status: 'failed', reason: /^unreadable: the file is binary data, not text$/ },
    'corrupt.docx': { status: 'failed', reason: /^not a Word document: the file is damaged or not a \.docx$/ },
    'empty.docx': { status: 'skipped', reason: /^empty document: no text found$/ },
    'encrypted.pdf': { status: 'failed', reason: /^encrypted PDF: remove the password and share it again$/ },
    'not-really-a.pdf': { status: 'failed', reason: /^not a PDF: the file is plain text named \.pdf; rename it or share the real PDF$/ },
    'truncated.pdf': { status: 'failed', reason: /^damaged PDF: / },
    'zero-byte.pdf': { status: 'skipped', reason: /^empty file$/ },
  };

  it('has an expectation for every broken fixture', () => {
    expect(readdirSync(new URL('broken/', FIXTURES)).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, { status, reason }] of Object.entries(expected)) {
    it(`refuses ${name} with a reason a person understands`, async () => {
      const error = await refusal(parse(`broken/${name}`));
      expect(error.status).toBe(status);
      expect(error.reason).toMatch(reason);
    });
  }
});

describe('ZIP bomb guard', () => {
  it('refuses a docx-shaped archive that expands far beyond its size', async () => {
    const zip = new JSZip();
    zip.file('[Content_Types].xml', '<Types/>');
    zip.file('word/document.xml', 'a'.repeat(40 * 1024 * 1024));
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    expect(bytes.byteLength).toBeLessThan(1024 * 1024);
    const error = await refusal(parseDocumentInProcess(bytes, 'bomb.docx'));
    expect(error.status).toBe('failed');
    expect(error.reason).toBe('refused: the archive expands to 40 MB (a decompression bomb?)');
  });

  it('refuses an archive above the absolute expansion limit', async () => {
    const error = await refusal(parse('sales.xlsx', { maxUncompressedBytes: 10_000 }));
    expect(error.reason).toMatch(/^refused: the archive expands to \d+ MB \(a decompression bomb\?\)$/);
  });
});

describe('ParserPool.parse (worker thread)', () => {
  const WORKER_TEST_TIMEOUT = 30_000; // a worker loads the TypeScript sources through tsx: seconds, not milliseconds
  // One pool per heap cap, as the core keeps one for PARSER_MEMORY_MB.
  const pools = new Map<number, ParserPool>();
  const parseDocument = (bytes: Uint8Array, fileName: string, limits = DEFAULT_LOADER_LIMITS) => {
    let pool = pools.get(limits.maxParserMemoryMb);
    if (!pool) pools.set(limits.maxParserMemoryMb, (pool = new ParserPool(1, limits.maxParserMemoryMb)));
    return pool.parse(bytes, fileName, limits);
  };
  afterAll(async () => {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  });

  it(
    'returns the same document as in-process parsing',
    async () => {
      const inWorker = await parseDocument(fixture('headings.docx'), 'headings.docx');
      expect(inWorker).toEqual(await parse('headings.docx'));
    },
    WORKER_TEST_TIMEOUT,
  );

  it(
    'recreates IngestError from the worker with its status and reason',
    async () => {
      const error = await refusal(parseDocument(fixture('broken/encrypted.pdf'), 'encrypted.pdf'));
      expect(error.status).toBe('failed');
      expect(error.reason).toBe('encrypted PDF: remove the password and share it again');
    },
    WORKER_TEST_TIMEOUT,
  );

  it(
    'stops a parser that runs past the time limit',
    async () => {
      const limits = { ...DEFAULT_LOADER_LIMITS, timeoutMs: 1 };
      const error = await refusal(parseDocument(fixture('pdflatex-4-pages.pdf'), 'slow.pdf', limits));
      expect(error.status).toBe('failed');
      expect(error.reason).toBe('timed out after 1 ms while reading the file');
    },
    WORKER_TEST_TIMEOUT,
  );

  it(
    'refuses HTML nested 200,000 levels deep with a reason, well before the time limit',
    async () => {
      const nested = (levels: number) => `<html><body>${'<div>'.repeat(levels)}deep text${'</div>'.repeat(levels)}</body></html>`;
      // 20 s, not the default 60: the reason must be the depth, not a timeout.
      const limits = { ...DEFAULT_LOADER_LIMITS, timeoutMs: 20_000 };
      const error = await refusal(parseDocument(new TextEncoder().encode(nested(200_000)), 'deep.html', limits));
      expect(error).toMatchObject({ status: 'failed', reason: 'unreadable: HTML nested deeper than 512 levels' });
      // Ordinary nesting, with end tags left out where HTML allows it, still reads.
      const page = `<ul>${'<li><p>item'.repeat(2000)}</ul>${'<section>'.repeat(400)}<p>inner text${'</section>'.repeat(400)}`;
      expect(allText(await parseDocument(new TextEncoder().encode(nested(500) + page), 'ok.html', limits))).toContain('inner text');
    },
    WORKER_TEST_TIMEOUT,
  );

  it(
    'reports a parser that runs out of memory',
    async () => {
      // The smallest heap a worker gets (2 MB asked for, 16 MB given) is exhausted while it loads its modules:
      // the same failure a huge file causes later. On Node 24 a 2 MB heap aborted the whole process.
      const limits = { ...DEFAULT_LOADER_LIMITS, maxParserMemoryMb: 2 };
      const error = await refusal(parseDocument(fixture('pdflatex-4-pages.pdf'), 'huge.pdf', limits));
      expect(error.status).toBe('failed');
      expect(error.reason).toBe('too large to read: the parser ran out of memory');
    },
    WORKER_TEST_TIMEOUT,
  );

  it('skips files above the size limit and empty files without starting a worker', async () => {
    const tooLarge = await refusal(parseDocument(new Uint8Array(61 * 1024 * 1024), 'video.txt'));
    expect(tooLarge.status).toBe('skipped');
    expect(tooLarge.reason).toBe('too large: 61 MB, the limit is 50 MB (MAX_FILE_MB)');
    const empty = await refusal(parseDocument(new Uint8Array(0), 'nothing.pdf'));
    expect(empty.status).toBe('skipped');
    expect(empty.reason).toBe('empty file');
  });
});

/** A valid one-page PDF that draws nothing: what a scan without a text layer looks like to a text extractor. */
function blankPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    '<< /Length 0 >>\nstream\n\nendstream',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}
