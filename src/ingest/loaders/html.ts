import { load, type CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { IngestError, type Section } from '../types.js';
import { assertHtmlDepth } from './html-depth.js';
import { htmlToSections } from './html-sections.js';
import type { DocumentLoader } from './loader.js';
import { decodeText } from './text-decoding.js';

/** Page furniture: menus, banners, footers, forms and anything that is not the page's own text. */
const NOISE = [
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'nav',
  'footer',
  'aside',
  'form',
  'iframe',
  '[role=navigation]',
  '[role=contentinfo]',
  '[role=banner]',
  '[role=search]',
  '[hidden]',
  '[aria-hidden=true]',
].join(', ');

/** Web pages: the main content only, heading path as `location.section`. */
export class HtmlLoader implements DocumentLoader {
  readonly kind = 'html' as const;

  async load(bytes: Uint8Array): Promise<Section[]> {
    const html = decodeText(bytes);
    if (html === undefined) throw new IngestError('failed', 'unreadable: the file is binary data, not text');
    assertHtmlDepth(html);
    const $ = load(html);
    $(NOISE).remove();
    // A page <header> is a banner; a <header> inside an article or section usually holds its title.
    $('header')
      .filter((_, element) => $(element).parents('article, main, section, [role=main]').length === 0)
      .remove();
    return htmlToSections(mainContent($));
  }
}

/** Prefer <main>, then the page's <article>s, then <body>. */
function mainContent($: CheerioAPI): AnyNode[] {
  const main = $('main, [role=main]').first();
  if (main.length > 0) return main.toArray();
  const articles = $('article').filter((_, element) => $(element).parents('article').length === 0);
  if (articles.length > 0) return articles.toArray();
  const body = $('body');
  return body.length > 0 ? body.toArray() : $.root().toArray();
}
