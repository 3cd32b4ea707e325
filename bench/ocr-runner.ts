/**
 * Child process of bench/ocr.ts, so that its peak RSS is OCR's alone. Modes:
 *   citebot <file...>  parse each file through citebot's parser pool (tesseract.js), in turn
 *   paddle <dir> <file...>  the same images through @gutenye/ocr-node (PaddleOCR PP-OCRv4, ONNX) installed in <dir>
 * Prints one JSON line: [{ file, ms, text, error? }].
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PARSER_WORKERS, ParserPool } from '../src/ingest/parser-pool.js';
import { DEFAULT_LOADER_LIMITS } from '../src/ingest/types.js';

interface Read {
  file: string;
  ms: number;
  text: string;
  error?: string;
}

const [mode, ...rest] = process.argv.slice(2);
const results: Read[] = [];
const limits = { ...DEFAULT_LOADER_LIMITS, timeoutMs: 600_000, ocr: { ...DEFAULT_LOADER_LIMITS.ocr, pageTimeoutMs: 120_000 } };

if (mode === 'citebot') {
  const pool = new ParserPool(DEFAULT_PARSER_WORKERS, limits.maxParserMemoryMb);
  const parseDocument = (bytes: Uint8Array, name: string, l: typeof limits) => pool.parse(bytes, name, l);
  for (const file of rest) {
    const started = performance.now();
    try {
      const document = await parseDocument(new Uint8Array(readFileSync(file)), basename(file), limits);
      results.push({ file, ms: performance.now() - started, text: document.sections.map((s) => s.text).join('\n') });
    } catch (error) {
      results.push({ file, ms: performance.now() - started, text: '', error: (error as Error).message });
    }
  }
  await pool.close();
} else if (mode === 'paddle') {
  const [dir, ...files] = rest;
  const entry = createRequire(join(dir!, 'package.json')).resolve('@gutenye/ocr-node');
  const { default: Ocr } = (await import(pathToFileURL(entry).href)) as {
    default: { create(): Promise<{ detect(path: string): Promise<{ text: string }[]> }> };
  };
  const ocr = await Ocr.create();
  for (const file of files) {
    const started = performance.now();
    const lines = await ocr.detect(file);
    results.push({ file, ms: performance.now() - started, text: lines.map((l) => l.text).join('\n') });
  }
} else throw new Error(`unknown mode ${mode}`);

process.stdout.write(JSON.stringify(results) + '\n');
process.exit(0);
