/**
 * Text conventions both chat adapters share: the placeholder an answer starts as (thread history
 * leaves it out), and questions without citebot's own mention.
 */

import { LANGUAGES, messages, type Language } from '../../messages/index.js';

/** "Searching the files shared in #general…" (in the question's language): shown until the answer's first words arrive. */
export function placeholderText(where: string, language: Language): string {
  return messages(language).placeholders.searching(where);
}

/** "Thinking…": shown while a reasoning model thinks, before the answer's first words. */
export function thinkingText(language: Language): string {
  return messages(language).placeholders.thinking;
}

const MARK = '\u0000';
/** Each language's placeholders as patterns: the searching one around any place, and the thinking one. */
const PLACEHOLDERS = LANGUAGES.map((language) => {
  const [before = '', after = ''] = messages(language).placeholders.searching(MARK).split(MARK);
  return { before, after, thinking: messages(language).placeholders.thinking };
});

/** Whether a bot message is still a placeholder, in any language (thread history leaves these out). */
export function isPlaceholder(text: string): boolean {
  const trimmed = text.trim();
  return PLACEHOLDERS.some(
    (p) => trimmed === p.thinking || (trimmed.startsWith(p.before) && trimmed.endsWith(p.after) && trimmed.length > p.before.length),
  );
}

/**
 * A question without citebot's mention: "<@U123> what is…" (Slack) or "<@123> / <@!123> what is…"
 * (Discord) becomes "what is…".
 */
export function withoutMention(text: string, botUserId: string): string {
  return text
    .replace(new RegExp(`<@!?${botUserId}>`, 'gu'), '')
    .replace(/\s+/gu, ' ')
    .trim();
}
