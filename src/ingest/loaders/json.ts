import { IngestError, type Section } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import { extensionOf } from './file-name.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { normalizeWhitespace } from './normalize.js';
import { decodeText } from './text-decoding.js';

/** Items of a top-level array per section. */
const ITEMS_PER_SECTION = 50;
const LINE_DELIMITED = new Set(['jsonl', 'ndjson']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON as readable "path.to.key: value" lines (array items indexed: "items[2].name: …").
 * A top-level object gives one section per object or array key (`location.section` the key; plain
 * values share a section without one); a top-level array,
 * sections of consecutive items. JSON Lines files (.jsonl, .ndjson) are read as an array of their lines.
 */
export class JsonLoader implements DocumentLoader {
  readonly kind = 'json' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    const text = decodeText(bytes);
    if (text === undefined) throw new IngestError('failed', 'unreadable: the file is binary data, not text');
    const value = LINE_DELIMITED.has(extensionOf(ctx.fileName)) ? parseJsonLines(text) : parseJson(text);
    return jsonToSections(value);
  }
}

function parseJson(text: string, lineNumber?: number): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    const where = lineNumber === undefined ? '' : `line ${lineNumber}: `;
    throw new IngestError('failed', `invalid JSON: ${where}${asClause(oneLineMessage(error))}`);
  }
}

function parseJsonLines(text: string): Json[] {
  const values: Json[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim()) values.push(parseJson(line, index + 1));
  });
  return values;
}

export function jsonToSections(value: Json): Section[] {
  const sections: Section[] = [];
  const add = (lines: string[], section?: string): void => {
    const text = normalizeWhitespace(lines.join('\n'));
    if (text) sections.push({ text, location: section === undefined ? {} : { section } });
  };
  if (Array.isArray(value)) {
    for (let start = 0; start < value.length; start += ITEMS_PER_SECTION) {
      const end = Math.min(start + ITEMS_PER_SECTION, value.length) - 1;
      const lines: string[] = [];
      for (let index = start; index <= end; index++) flatten(value[index]!, `[${index}]`, lines);
      add(lines, start === end ? `[${start}]` : `[${start}]–[${end}]`);
    }
  } else if (value !== null && typeof value === 'object') {
    // Plain top-level values ("name": "x") would make one tiny section each: they share one.
    let scalars: string[] = [];
    for (const [key, child] of Object.entries(value)) {
      const lines: string[] = [];
      flatten(child, keyPath('', key), lines);
      if (child === null || typeof child !== 'object') {
        scalars.push(...lines);
        continue;
      }
      add(scalars);
      scalars = [];
      add(lines, key);
    }
    add(scalars);
  } else {
    add([scalarText(value)]);
  }
  return sections;
}

/** Appends one "path: value" line per scalar under `value`. */
function flatten(value: Json, path: string, lines: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flatten(item, `${path}[${index}]`, lines));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flatten(child, keyPath(path, key), lines);
  } else {
    lines.push(`${path}: ${scalarText(value)}`);
  }
}

/** Plain identifiers join with dots; anything else is quoted in brackets so the path stays unambiguous. */
function keyPath(parent: string, key: string): string {
  if (/^[\p{L}_$][\p{L}\p{N}_$-]*$/u.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function scalarText(value: null | boolean | number | string): string {
  return value === null ? 'null' : String(value);
}
