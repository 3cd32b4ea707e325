import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The integer LSTM models tesseract.js itself defaults to: small (eng 2.9 MB, chi_sim 1.7 MB gzipped) and as accurate as "best". */
const MODEL_FOLDER = '4.0.0_best_int';

/** Where the npm package @tesseract.js-data/<code> keeps the model, or undefined when that package is not installed. */
export function languageFile(code: string): string | undefined {
  if (!/^[a-z][a-z0-9_]*$/.test(code)) return undefined;
  try {
    const root = path.dirname(require.resolve(`@tesseract.js-data/${code}/package.json`));
    const file = path.join(root, MODEL_FOLDER, `${code}.traineddata.gz`);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * tesseract.js reads every language from one `langPath` folder, but each language ships in its own npm
 * package: link them into one folder under the system temp directory (named by their paths, so every
 * worker and process with the same install shares it). Nothing is downloaded.
 */
export function languageFolder(codes: string[]): string {
  const files = codes.map((code) => {
    const file = languageFile(code);
    if (!file) throw new Error(`OCR language ${code} is not installed (npm install @tesseract.js-data/${code})`);
    return { code, file };
  });
  const key = createHash('sha256')
    .update(files.map((f) => f.file).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const folder = path.join(tmpdir(), `citebot-tessdata-${key}`);
  mkdirSync(folder, { recursive: true });
  for (const { code, file } of files) {
    const link = path.join(folder, `${code}.traineddata.gz`);
    try {
      symlinkSync(file, link);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return folder;
}
