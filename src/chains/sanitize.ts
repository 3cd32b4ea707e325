/**
 * Makes model output safe to post. The model reads retrieved files, and a file can carry a prompt
 * injection, so its output is treated as untrusted: it must not ping anyone and must not link
 * anywhere except the sources it was given.
 */
import { neutralizeMentions } from '../text/mentions.js';

export { neutralizeMentions };

/** Offsets [start, end) of a piece of text. */
export interface TextRange {
  start: number;
  end: number;
}

/** What replaces a link with no text of its own (a bare URL, Slack `<url>`). */
export const LINK_REMOVED = '(link removed)';

/** Links out of the model's answer and its mentions neutralized (see restrictLinks, neutralizeMentions). */
export function sanitizeAnswer(text: string, allowedUrls: readonly string[]): string {
  // Links first: removing a link can expose its label ("<https://x|@here>"), which must then be neutralized.
  return neutralizeMentions(restrictLinks(text, allowedUrls));
}

// ---------------------------------------------------------------------------------------------
// Links

/** Link text, then the URL: optional <…> (Discord's no-embed form), one level of parentheses (Wikipedia URLs), an optional title. */
const MARKDOWN_LINK = String.raw`(!?)\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)`;
/** Slack's <url> and <url|text>. Requires a scheme, so <@U1>, <!here> and <#C1> are not links. */
const SLACK_LINK = String.raw`<([a-z][a-z0-9+.\-]*:[^\s<>|]*)(?:\|([^<>\n]*))?>`;
/** URLs the platforms auto-link, and script/data URIs. CJK punctuation ends a URL: "见https://x.com，然后". */
const URL_CHAR = String.raw`[^\s<>\[\]"'\x60，。、；：！？（）「」『』【】《》“”‘’]`;
const BARE_LINK = String.raw`(?:(?:https?|ftp):\/\/|\bwww\.|\b(?:javascript|vbscript):|\bdata:[a-z]+\/)${URL_CHAR}*`;
const ANY_LINK = new RegExp(`${MARKDOWN_LINK}|${SLACK_LINK}|(${BARE_LINK})`, 'giu');

/** Schemes that run code or smuggle content; never allowed, even if a source's url has one. */
const DANGEROUS_SCHEME = /^(?:javascript|vbscript|data):/iu;
/** Punctuation that ends a sentence rather than the URL before it. */
const URL_TRAILING_PUNCTUATION = /[.,;:!?*_~]+$/u;

/**
 * Keeps links to the given source URLs and removes every other one, keeping its words:
 * `[text](url)` → "text", Slack `<url|text>` → "text", `<url>` and bare URLs → "(link removed)".
 * A URL is allowed when it equals an allowed URL after trimming, or has the same origin and path
 * (a trailing slash ignored). javascript:, vbscript: and data: URLs are always removed.
 * Citation markers like [1] are not links and stay; so do links inside code, which no platform makes clickable.
 */
export function restrictLinks(text: string, allowedUrls: readonly string[]): string {
  const isAllowed = allowedUrlTest(allowedUrls);
  const code = findCodeRanges(text);
  return text.replace(ANY_LINK, (match: string, ...groups: unknown[]) => {
    const [, mdText, mdUrl, slackUrl, slackText, bare, offset] = groups as [
      string | undefined,
      string | undefined,
      string | undefined,
      string | undefined,
      string | undefined,
      string | undefined,
      number,
    ];
    if (insideAny(code, offset)) return match;
    if (mdUrl !== undefined) {
      // The link text may itself be a URL ("[https://x](https://x)"), which platforms would link again.
      return isAllowed(mdUrl) ? match : restrictLinks(mdText ?? '', allowedUrls);
    }
    if (slackUrl !== undefined) {
      if (isAllowed(slackUrl)) return match;
      return slackText !== undefined && slackText.trim() !== '' ? restrictLinks(slackText, allowedUrls) : LINK_REMOVED;
    }
    const { url, trailing } = splitTrailingPunctuation(bare ?? match);
    return (isAllowed(url) ? url : LINK_REMOVED) + trailing;
  });
}

/** A test for "is this one of the sources' URLs" (see restrictLinks). */
function allowedUrlTest(allowedUrls: readonly string[]): (url: string) => boolean {
  const exact = new Set<string>();
  const canonical = new Set<string>();
  for (const raw of allowedUrls) {
    const url = raw.trim();
    if (!url || isDangerous(url)) continue;
    exact.add(url);
    const key = canonicalUrl(url);
    if (key) canonical.add(key);
  }
  return (raw) => {
    const url = raw.trim();
    if (!url || isDangerous(url)) return false;
    if (exact.has(url)) return true;
    const key = canonicalUrl(url);
    return key !== undefined && canonical.has(key);
  };
}

function isDangerous(url: string): boolean {
  // Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
  // eslint-disable-next-line no-control-regex
  return DANGEROUS_SCHEME.test(url.replace(/[\u0000-\u0020]/gu, ''));
}

/** Origin and path without trailing slashes; undefined for what is not an absolute URL. */
function canonicalUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.origin === 'null') return undefined; // file:, mailto: and the like: exact match only
    return parsed.origin + parsed.pathname.replace(/\/+$/u, '');
  } catch {
    return undefined;
  }
}

/** "https://x.com/a." at the end of a sentence: the period is not part of the URL, nor an unmatched ")". */
function splitTrailingPunctuation(candidate: string): { url: string; trailing: string } {
  let url = candidate;
  let trailing = '';
  for (;;) {
    const punctuation = URL_TRAILING_PUNCTUATION.exec(url)?.[0];
    if (punctuation) {
      url = url.slice(0, -punctuation.length);
      trailing = punctuation + trailing;
    } else if (url.endsWith(')') && count(url, '(') < count(url, ')')) {
      url = url.slice(0, -1);
      trailing = ')' + trailing;
    } else {
      return { url, trailing };
    }
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

// ---------------------------------------------------------------------------------------------
// Code

/**
 * Where the code is, as Slack and Discord render it: a run of three or more backticks opens a
 * block (anywhere in a line, across lines) closed by the next such run; a run of one or two opens an
 * inline span closed by a run of the same length on the same line. Unclosed runs are literal
 * backticks: text after them is prose, so a link there still counts as clickable.
 * Sorted, non-overlapping.
 */
export function findCodeRanges(text: string): TextRange[] {
  const ranges: TextRange[] = [];
  const runs = [...text.matchAll(/`+/gu)].map((match) => ({ start: match.index, end: match.index + match[0].length }));
  for (let i = 0; i < runs.length; i++) {
    const closeAt = closingRun(text, runs, i);
    if (closeAt === -1) continue;
    ranges.push({ start: runs[i]!.start, end: runs[closeAt]!.end });
    i = closeAt;
  }
  return ranges;
}

/** Index of the run that closes runs[open], or -1. */
function closingRun(text: string, runs: readonly TextRange[], open: number): number {
  const opener = runs[open]!;
  const length = opener.end - opener.start;
  for (let j = open + 1; j < runs.length; j++) {
    const run = runs[j]!;
    if (length >= 3) {
      if (run.end - run.start >= 3) return j;
    } else {
      if (text.slice(runs[j - 1]!.end, run.start).includes('\n')) return -1;
      if (run.end - run.start === length) return j;
    }
  }
  return -1;
}

/** Whether `offset` falls inside one of the (sorted) ranges. */
export function insideAny(ranges: readonly TextRange[], offset: number): boolean {
  return ranges.some((range) => offset >= range.start && offset < range.end);
}
