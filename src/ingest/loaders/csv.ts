import Papa from 'papaparse';
import { IngestError, type Section } from '../types.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { baseNameWithoutExtension } from './file-name.js';
import { tableToSections } from './tabular.js';
import { decodeText } from './text-decoding.js';

/** CSV/TSV files: like one spreadsheet sheet named after the file. */
export class CsvLoader implements DocumentLoader {
  readonly kind = 'csv' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    const text = decodeText(bytes);
    if (text === undefined) throw new IngestError('failed', 'unreadable: the file is binary data, not text');
    // The delimiter (comma, semicolon, tab) is guessed by papaparse.
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
    if (parsed.data.length > ctx.limits.maxRows) {
      throw new IngestError('failed', `too many rows (${parsed.data.length} > ${ctx.limits.maxRows})`);
    }
    return tableToSections(parsed.data, baseNameWithoutExtension(ctx.fileName));
  }
}
