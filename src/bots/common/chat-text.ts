/**
 * Text conventions both chat adapters share: the placeholder an answer starts as (thread history
 * leaves it out), and questions without citebot's own mention.
 */

const PLACEHOLDER_PREFIX = 'Searching the files shared in';

/** "Searching the files shared in #general…": shown until the answer's first words arrive. */
export function placeholderText(where: string): string {
  return `${PLACEHOLDER_PREFIX} ${where}…`;
}

export function isPlaceholder(text: string): boolean {
  return text.startsWith(PLACEHOLDER_PREFIX);
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
