import type { Section } from '../types.js';
import { normalizeWhitespace } from './normalize.js';

/** Rows per section: enough context for a chunk, small enough that one sheet is not one giant blob. */
export const ROWS_PER_SECTION = 50;

/**
 * Renders a table as sections of "Header: value; Header: value" lines, the first non-empty row
 * being the header. Title rows above it (one filled cell in a wider table, like a merged banner)
 * are kept as plain lines instead of becoming the header. Every section carries the sheet name.
 */
export function tableToSections(rows: string[][], sheet: string): Section[] {
  const cleaned = rows.map((row) => row.map((cell) => cell.replace(/\s+/g, ' ').trim())).filter((row) => row.some((cell) => cell !== ''));
  const filled = (row: string[]): number => row.filter((cell) => cell !== '').length;
  const widest = Math.max(0, ...cleaned.map(filled));
  const titles: string[] = [];
  while (widest > 1 && cleaned.length > 1 && filled(cleaned[0]!) === 1) titles.push(cleaned.shift()!.find(Boolean)!);

  const [header, ...body] = cleaned;
  if (!header) return titles.length > 0 ? [{ text: titles.join('\n'), location: { sheet } }] : [];
  if (body.length === 0) return [{ text: [...titles, header.filter(Boolean).join(' | ')].join('\n'), location: { sheet } }];

  const names = header.map((name, index) => name || `Column ${columnLetter(index)}`);
  const lines = body.map((row) =>
    row
      .map((value, index) => (value ? `${names[index] ?? `Column ${columnLetter(index)}`}: ${value}` : ''))
      .filter(Boolean)
      .join('; '),
  );
  const sections: Section[] = [];
  for (let start = 0; start < lines.length; start += ROWS_PER_SECTION) {
    const group = lines.slice(start, start + ROWS_PER_SECTION);
    const text = normalizeWhitespace((start === 0 ? [...titles, ...group] : group).join('\n'));
    if (text) sections.push({ text, location: { sheet } });
  }
  return sections;
}

/** 0 -> "A", 25 -> "Z", 26 -> "AA": how spreadsheet users name columns. */
export function columnLetter(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
