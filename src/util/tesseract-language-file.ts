import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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
