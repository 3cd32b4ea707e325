import { Tokenizer } from 'htmlparser2';
import { IngestError } from '../types.js';

/** Chromium's HTML parser stops nesting at 512 levels (kMaximumHTMLParserDOMTreeDepth); no real page gets close. */
export const MAX_HTML_DEPTH = 512;

/** Elements with no end tag, or whose end tag may be left out: they do not deepen the tree reliably, so they are not counted. */
const NOT_COUNTED = new Set(
  (
    'area base br col embed hr img input link meta param source track wbr ' +
    'p li dt dd tr td th thead tbody tfoot colgroup caption option optgroup rb rt rtc rp head body html'
  ).split(' '),
);

/**
 * Refuse HTML nested deeper than `max` elements before it reaches cheerio: a tree 200,000 levels deep
 * takes parse5 and the section walk minutes. htmlparser2's tokenizer reads tags in one linear pass
 * (its Parser is quadratic on such input); the scan stops at the first element too deep.
 */
export function assertHtmlDepth(html: string, max = MAX_HTML_DEPTH): void {
  const open: string[] = [];
  let tag = '';
  const name = (start: number, end: number) => html.slice(start, end).toLowerCase();
  const ignore = () => {};
  const tokenizer = new Tokenizer(
    {},
    {
      onopentagname: (start, end) => (tag = name(start, end)),
      onopentagend: () => {
        if (NOT_COUNTED.has(tag)) return;
        open.push(tag);
        if (open.length > max) throw new IngestError('failed', `unreadable: HTML nested deeper than ${max} levels`);
      },
      onselfclosingtag: ignore,
      onclosetag: (start, end) => {
        const closed = open.lastIndexOf(name(start, end));
        if (closed >= 0) open.length = closed;
      },
      onattribdata: ignore,
      onattribentity: ignore,
      onattribend: ignore,
      onattribname: ignore,
      oncdata: ignore,
      oncomment: ignore,
      ondeclaration: ignore,
      onend: ignore,
      onprocessinginstruction: ignore,
      ontext: ignore,
      ontextentity: ignore,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
}
