import type { Section } from '../types.js';

export interface NormalizeOptions {
  /** Keep leading indentation (source code, where it carries meaning). */
  keepIndent?: boolean;
}

// Spaces a reader sees as one blank: tabs, no-break and typographic spaces, the ideographic space.
// Only runs that change are matched (two or more blanks, or any blank other than a plain space): replacing
// every single space of a 20 MB line would build millions of replacement parts (hundreds of MB).
const HORIZONTAL_SPACE =
  / [ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000][ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*/g;
// Invisible characters that only break word matching: soft hyphen, zero-width space, word joiner, BOM.
// (Zero-width joiners stay: they shape Persian and Indic text and build emoji.)
const INVISIBLE = /[\u00ad\u200b\u2060\ufeff]/g;
// Control characters other than tab and newline (already handled above or meaningless in text).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/** Collapse runs of spaces, trim lines, keep at most one blank line, trim the whole text. */
export function normalizeWhitespace(text: string, options: NormalizeOptions = {}): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(INVISIBLE, '')
    .replace(CONTROL, '')
    .split('\n')
    .map((line) => (options.keepIndent ? line.trimEnd() : line.replace(HORIZONTAL_SPACE, ' ').trim()));
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

/** Sections with non-blank text only. */
export function dropEmptySections(sections: Section[]): Section[] {
  return sections.filter((section) => section.text.trim() !== '');
}
