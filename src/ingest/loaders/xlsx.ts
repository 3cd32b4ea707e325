import ExcelJS from 'exceljs';
import { IngestError, type Section } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { tableToSections } from './tabular.js';
import { assertZipIsSafe } from './zip-guard.js';

/** Excel workbooks: sections of header-prefixed rows per sheet, `location.sheet` the sheet name. */
export class XlsxLoader implements DocumentLoader {
  readonly kind = 'xlsx' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    await assertZipIsSafe(bytes, ctx.limits);
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
    } catch (error) {
      throw new IngestError('failed', `damaged Excel workbook: ${asClause(oneLineMessage(error))}`);
    }
    const totalRows = workbook.worksheets.reduce((sum, sheet) => sum + sheet.actualRowCount, 0);
    if (totalRows > ctx.limits.maxRows) throw new IngestError('failed', `too many rows (${totalRows} > ${ctx.limits.maxRows})`);

    const sections: Section[] = [];
    for (const sheet of workbook.worksheets) sections.push(...tableToSections(sheetRows(sheet), sheet.name));
    if (sections.length === 0) throw new IngestError('skipped', 'empty document: no text found');
    return sections;
  }
}

function sheetRows(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      // A merged range repeats its value in every cell: keep it once, in the top-left cell.
      const shadowOfMerge = cell.isMerged && cell.master.address !== cell.address;
      cells[column - 1] = shadowOfMerge ? '' : cellText(cell.value);
    });
    rows.push(Array.from(cells, (cell) => cell ?? ''));
  });
  return rows;
}

/** What a person sees in the cell: formula results, link text, rich text runs, dates as ISO dates. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return formatDate(value);
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return value.result === undefined ? '' : cellText(value.result as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  return '';
}

function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  // Excel dates carry no zone; exceljs reads them as UTC. Midnight means "a date", not "a time".
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}
