/**
 * The syntax of a scope, the access boundary every document lives in. The adapters build them
 * (src/bots/slack/scope.ts, src/bots/discord/scope.ts); the CLI checks the ones a person types, so
 * a typo is refused instead of silently creating an empty scope.
 *
 *   local:<name>               the terminal's own scopes (local:default)
 *   slack:<team>:<channel>     slack:T0123:C0456
 *   discord:<guild>:<channel>  discord:111:222, and discord:dm:<channel> for direct messages
 */
const ID = '[A-Za-z0-9]+';
const FORMS: { prefix: string; pattern: RegExp; example: string }[] = [
  { prefix: 'local', pattern: /^local:[A-Za-z0-9][A-Za-z0-9._-]*$/u, example: 'local:default' },
  { prefix: 'slack', pattern: new RegExp(`^slack:${ID}:${ID}$`, 'u'), example: 'slack:T0123ABCD:C0456EFGH' },
  { prefix: 'discord', pattern: new RegExp(`^discord:(?:${ID}|dm):${ID}$`, 'u'), example: 'discord:<guild id>:<channel id>' },
];

/** Why `scope` is not a scope, or undefined when it is one. */
export function scopeProblem(scope: string): string | undefined {
  const form = FORMS.find((f) => scope.startsWith(`${f.prefix}:`));
  if (!form) {
    const shown = scope === '' ? 'an empty scope' : `"${scope}"`;
    return `${shown} is not a scope: expected local:<name>, slack:<team>:<channel> or discord:<guild>:<channel>`;
  }
  if (form.pattern.test(scope)) return undefined;
  return `"${scope}" is not a ${form.prefix} scope: expected the form ${form.example} (letters and digits${form.prefix === 'local' ? ', . _ -' : ''}, no wildcards or spaces)`;
}
