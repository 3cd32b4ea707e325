/**
 * Mentions neutralized: text citebot posts (a model's answer, a channel's messages shown as
 * sources) must never notify anyone. Used by the answer sanitizer and by conversation indexing.
 */

/** Zero-width space: "@\u200beveryone" reads as "@everyone" but no platform treats it as a mention. */
const ZWSP = '\u200b';

/** Slack special mentions: <!channel>, <!here|here>, <!subteam^S123|@team>, <!date^…|fallback>. */
const SLACK_SPECIAL = /<!([^\s<>|]*)(?:\|([^<>]*))?>/gu;
/** Slack users (<@U123>, <@U123|name>) and Discord users/roles (<@123>, <@!123>, <@&123>). */
const USER_OR_ROLE = /<@([!&]?)[\w-]*(?:\|([^<>]*))?>/gu;
const MASS_NAMES = new Set(['channel', 'here', 'everyone']);
/** Plain-text mass mentions, also with a full-width at sign. */
const MASS_MENTION = /[@＠](everyone|here|channel)(?![\p{L}\p{N}_])/giu;

/**
 * Nothing the model writes may notify people. Mass mentions in plain text get a zero-width space
 * after the "@"; Slack and Discord mention syntax (`<!channel>`, `<!subteam^S1|@team>`, `<@U1>`,
 * `<@&1>`) becomes plain text with the zero-width space: "@\u200bchannel", "@\u200bteam", "@\u200buser", "@\u200brole".
 * Applies inside code spans too: a notification is never worth the risk.
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(SLACK_SPECIAL, (_match, command: string, label: string | undefined) => {
      const name = command.split('^')[0]!.toLowerCase();
      const shown = label?.trim().replace(/^[@＠]/u, '');
      if (name === 'subteam') return `@${ZWSP}${shown || 'team'}`;
      // <!date^…|fallback> and other formatting commands: their fallback text is harmless.
      if (shown && !MASS_NAMES.has(name)) return shown;
      return `@${ZWSP}${name}`;
    })
    .replace(USER_OR_ROLE, (_match, kind: string, label: string | undefined) => {
      if (kind === '&') return `@${ZWSP}role`;
      const name = label?.trim().replace(/^[@＠]/u, '');
      return `@${ZWSP}${name || 'user'}`;
    })
    .replace(MASS_MENTION, (_match, name: string) => `@${ZWSP}${name}`);
}
