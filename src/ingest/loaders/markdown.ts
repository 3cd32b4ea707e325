import { Lexer, type MarkedToken, type Token } from 'marked';
import { IngestError, type Section } from '../types.js';
import { HeadingPath } from './heading-path.js';
import type { DocumentLoader } from './loader.js';
import { normalizeWhitespace } from './normalize.js';
import { decodeText } from './text-decoding.js';

// YAML (---) or TOML (+++) front matter: metadata for site generators, not text.
const FRONT_MATTER = /^(?:---\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)|\+\+\+\r?\n[\s\S]*?\r?\n\+\+\+)[ \t]*(?:\r?\n|$)/;

/** Markdown through marked's lexer: heading path as `location.section`, the text without markup. */
export class MarkdownLoader implements DocumentLoader {
  readonly kind = 'markdown' as const;

  async load(bytes: Uint8Array): Promise<Section[]> {
    const source = decodeText(bytes);
    if (source === undefined) throw new IngestError('failed', 'unreadable: the file is binary data, not text');
    const tokens = new Lexer().lex(source.replace(FRONT_MATTER, ''));

    const headings = new HeadingPath();
    const sections: Section[] = [];
    let blocks: string[] = [];
    const flush = (): void => {
      const text = normalizeWhitespace(blocks.join('\n\n'));
      if (text) sections.push({ text, location: headings.location() });
      blocks = [];
    };
    for (const token of tokens as MarkedToken[]) {
      if (token.type === 'heading') {
        flush();
        headings.enter(token.depth, inlineText(token.tokens));
      } else {
        const text = blockText(token);
        if (text.trim()) blocks.push(text);
      }
    }
    flush();
    return sections;
  }
}

function blockText(token: MarkedToken): string {
  switch (token.type) {
    case 'paragraph':
      return inlineText(token.tokens);
    case 'code':
      return token.text;
    case 'blockquote':
      return (token.tokens as MarkedToken[]).map(blockText).filter(Boolean).join('\n\n');
    case 'list':
      return token.items
        .map((item, index) => {
          const marker = token.ordered ? `${(Number(token.start) || 1) + index}. ` : '- ';
          const body = (item.tokens as MarkedToken[]).map(blockText).filter(Boolean).join('\n');
          return marker + body;
        })
        .join('\n');
    case 'table':
      return [token.header, ...token.rows].map((row) => row.map((cell) => inlineText(cell.tokens)).join(' | ')).join('\n');
    case 'html':
      return stripTags(token.text);
    case 'text':
      return token.tokens ? inlineText(token.tokens) : token.text;
    case 'heading':
      return inlineText(token.tokens);
    default:
      return ''; // space, hr, def
  }
}

/** Inline tokens as plain text: emphasis, links and code spans keep their text, images their alt text. */
function inlineText(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((raw) => {
      const token = raw as MarkedToken;
      switch (token.type) {
        case 'strong':
        case 'em':
        case 'del':
        case 'link':
          return inlineText(token.tokens);
        case 'text':
          return token.tokens ? inlineText(token.tokens) : token.text;
        case 'codespan':
        case 'escape':
        case 'image':
          return token.text;
        case 'br':
          return '\n';
        case 'html':
          return stripTags(token.text);
        default:
          return 'text' in token && typeof token.text === 'string' ? token.text : '';
      }
    })
    .join('');
}

function stripTags(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, ' ');
}
