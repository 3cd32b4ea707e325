import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { languageFile } from '../../util/tesseract-language-file.js';

export { languageFile };

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
