import type { AnyNode, Element } from 'domhandler';
import type { Section } from '../types.js';
import { HeadingPath } from './heading-path.js';
import { normalizeWhitespace } from './normalize.js';

/**
 * Walks an HTML tree (a web page, or the HTML mammoth makes from a Word file) into sections:
 * headings h1..h6 open a heading path, each run of content under one path becomes a section,
 * paragraphs are separated by blank lines, list items and table rows get a line each.
 */
export function htmlToSections(roots: AnyNode[]): Section[] {
  const builder = new SectionBuilder();
  for (const root of roots) walk(root, builder);
  return builder.finish();
}

/** Elements whose content is never reading text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'head',
  'title',
  'meta',
  'link',
  'button',
  'select',
  'option',
  'input',
  'textarea',
]);

const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'header',
  'hr',
  'html',
  'legend',
  'main',
  'nav',
  'ol',
  'p',
  'section',
  'summary',
  'ul',
  'caption',
]);

// Break markers, resolved when a section is finished: several breaks in a row must not pile up blank lines.
const LINE_BREAK = '\u0001';
const PARAGRAPH_BREAK = '\u0002';

class SectionBuilder {
  private readonly headings = new HeadingPath();
  private readonly sections: Section[] = [];
  private parts: string[] = [];

  text(text: string): void {
    this.parts.push(text.replace(/[\u0001\u0002]/g, '')); // eslint-disable-line no-control-regex -- keep the break markers unambiguous
  }

  lineBreak(): void {
    this.parts.push(LINE_BREAK);
  }

  paragraphBreak(): void {
    this.parts.push(PARAGRAPH_BREAK);
  }

  heading(level: number, title: string): void {
    this.flush();
    this.headings.enter(level, title);
  }

  finish(): Section[] {
    this.flush();
    return this.sections;
  }

  private flush(): void {
    /* eslint-disable no-control-regex -- the markers are control characters on purpose; text() removes them from the text */
    const joined = this.parts
      .join('')
      .replace(/[ \t\u0001\u0002]*\u0002[ \t\u0001\u0002]*/g, '\n\n')
      .replace(/[ \t\u0001]*\u0001[ \t\u0001]*/g, '\n');
    /* eslint-enable no-control-regex */
    const text = normalizeWhitespace(joined);
    if (text) this.sections.push({ text, location: this.headings.location() });
    this.parts = [];
  }
}

function walk(node: AnyNode, out: SectionBuilder): void {
  if (node.type === 'text') {
    out.text(node.data.replace(/\s+/g, ' ')); // HTML collapses source whitespace
    return;
  }
  if (!isElement(node)) {
    if ('children' in node) for (const child of node.children) walk(child, out); // the document root
    return;
  }
  const tag = node.name.toLowerCase();
  if (SKIPPED.has(tag)) return;

  const heading = /^h([1-6])$/.exec(tag);
  if (heading) {
    out.heading(Number(heading[1]), inlineText(node));
    return;
  }
  switch (tag) {
    case 'br':
      out.text('\n');
      return;
    case 'pre':
      out.paragraphBreak();
      out.text(rawText(node));
      out.paragraphBreak();
      return;
    case 'table':
      out.paragraphBreak();
      for (const row of tableRows(node)) {
        out.text(row);
        out.lineBreak();
      }
      out.paragraphBreak();
      return;
    case 'li':
      out.lineBreak();
      out.text(listMarker(node));
      // A simple item (even one wrapped in <p>, as mammoth writes them) stays on the marker's line.
      if (hasNestedStructure(node)) for (const child of node.children) walk(child, out);
      else out.text(inlineText(node));
      out.lineBreak();
      return;
  }
  const block = BLOCKS.has(tag);
  if (block) out.paragraphBreak();
  for (const child of node.children) walk(child, out);
  if (block) out.paragraphBreak();
}

function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function hasNestedStructure(node: Element): boolean {
  return node.children.some(
    (child) => isElement(child) && (['ul', 'ol', 'table', 'pre'].includes(child.name) || hasNestedStructure(child)),
  );
}

/** "- " in a bulleted list, "3. " in a numbered one. */
function listMarker(item: Element): string {
  const list = item.parent;
  if (!list || !isElement(list) || list.name !== 'ol') return '- ';
  const start = Number(list.attribs['start'] ?? '1');
  const position = list.children.filter((child) => isElement(child) && child.name === 'li').indexOf(item);
  return `${(Number.isFinite(start) ? start : 1) + position}. `;
}

/** The rows of a table (not of tables nested in it), cells joined by " | ". */
function tableRows(table: Element): string[] {
  const rows: string[] = [];
  const visit = (node: Element): void => {
    for (const child of node.children) {
      if (!isElement(child)) continue;
      if (child.name === 'tr') {
        const cells = child.children.filter((cell): cell is Element => isElement(cell) && (cell.name === 'td' || cell.name === 'th'));
        const texts = cells.map((cell) => inlineText(cell));
        if (texts.some((text) => text !== '')) rows.push(texts.join(' | '));
      } else if (child.name !== 'table') {
        visit(child); // thead, tbody, tfoot
      }
    }
  };
  visit(table);
  return rows;
}

/** All text under a node on one line, with a space wherever a block or line break separates words. */
export function inlineText(node: AnyNode): string {
  const parts: string[] = [];
  const visit = (current: AnyNode): void => {
    if (current.type === 'text') {
      parts.push(current.data);
      return;
    }
    if (!isElement(current)) return;
    const tag = current.name.toLowerCase();
    if (SKIPPED.has(tag)) return;
    const separated =
      tag === 'br' || BLOCKS.has(tag) || tag === 'li' || tag === 'tr' || tag === 'td' || tag === 'th' || /^h[1-6]$/.test(tag);
    if (separated) parts.push(' ');
    for (const child of current.children) visit(child);
    if (separated) parts.push(' ');
  };
  visit(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Text of a `pre` element with its line breaks. */
function rawText(node: AnyNode): string {
  if (node.type === 'text') return node.data;
  if (!isElement(node)) return '';
  if (node.name === 'br') return '\n';
  return node.children.map(rawText).join('');
}
