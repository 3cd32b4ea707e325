import { alsoRelevantLabel } from '../../chains/closest-label.js';
import type { Answer, Citation } from '../../chains/types.js';
import { splitMessage } from '../common/split-message.js';
import { messages } from '../../messages/index.js';

/** Discord's limit on a message's content. */
export const MESSAGE_LIMIT = 2000;

/** Markdown link text may not contain brackets; the URL is wrapped in <> so it never embeds. */
function link(label: string, url: string): string {
  const text = label.replace(/[[\]]/gu, '');
  return /^https?:\/\//u.test(url) ? `[${text}](<${url}>)` : text;
}

/** `-# [1] [report.pdf](<message link>) · p. 3` — small text, one line per source. */
export function sourceLine(c: Citation): string {
  return `-# [${c.n}] ${link(c.source, c.url)}${c.location ? ` · ${c.location}` : ''}`;
}

/** The answer so far, cut to one message (the final rendering splits properly). */
export function partialContent(text: string, heading?: string): string {
  const body = `${heading ? `${heading}\n` : ''}${text} …`;
  return body.length <= MESSAGE_LIMIT ? body : `${body.slice(0, MESSAGE_LIMIT - 2)} …`;
}

/**
 * The final answer as message contents: the text with its [n] markers, then the sources, split at
 * 2,000 characters without cutting a citation or a code block.
 */
export function answerContents(answer: Answer, heading?: string): string[] {
  const lines: string[] = [];
  const { labels } = messages(answer.language);
  if (answer.citations.length) lines.push(...answer.citations.map(sourceLine));
  if (answer.alsoRelevant.length) lines.push(`-# ${alsoRelevantLabel(labels, answer)}:`, ...answer.alsoRelevant.map(sourceLine));
  for (const note of answer.degraded ?? []) lines.push(`-# _${note.message}_`);
  const text = [heading, answer.answer, lines.length ? `\n${lines.join('\n')}` : ''].filter(Boolean).join('\n');
  return splitMessage(text, MESSAGE_LIMIT);
}
