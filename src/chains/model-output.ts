/**
 * From the chat model's raw text to what a user sees, in the order that keeps it safe: reasoning out
 * first (its numbers are not citations), then citations checked and renumbered (the model's own
 * source list removed), then mentions and foreign links neutralised.
 */
import { verifyCitations, type CitableSource, type VerifiedCitations } from './citations.js';
import { visiblePrefix } from './partial-answer.js';
import { splitReasoning, stripReasoning } from './reasoning.js';
import { sanitizeAnswer } from './sanitize.js';
import { removeSourceList } from './source-list.js';

/** The text of a streamed prefix that is safe to show now (see partial-answer.ts). */
export function partialAnswerText(
  raw: string,
  sources: readonly CitableSource[],
  allowedUrls: readonly string[],
  options: { mayStartInReasoning?: boolean } = {},
): string {
  return sanitizeAnswer(verifyCitations(visiblePrefix(raw, options), sources).text, allowedUrls);
}

/** Whether a streamed prefix ends inside reasoning written into the text (`<think>…` not yet closed). */
export function isReasoning(raw: string, options: { mayStartInReasoning?: boolean } = {}): boolean {
  return splitReasoning(raw, { partial: true, ...options }).inReasoning;
}

/** The final answer: its text and the verified citations. */
export function finalAnswer(
  raw: string,
  sources: readonly CitableSource[],
  allowedUrls: readonly string[],
): { text: string; verified: VerifiedCitations } {
  const verified = verifyCitations(stripReasoning(raw), sources);
  return { text: sanitizeAnswer(verified.text, allowedUrls), verified };
}

/** Whether the model answered at all: not nothing, only reasoning, or only a source list. */
export function hasAnswer(raw: string): boolean {
  return removeSourceList(stripReasoning(raw)).trim() !== '';
}
