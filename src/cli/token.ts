import { createToken, listTokens, revokeToken } from '../app/tokens.js';
import type { CitebotCore } from '../core.js';
import type { AccessToken } from '../store/ports.js';
import { printJson, table } from './output.js';

const tokenJson = (t: AccessToken) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt ?? null,
  revokedAt: t.revokedAt ?? null,
  lastUsedAt: t.lastUsedAt ?? null,
});

function state(t: AccessToken, now = Date.now()): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

/** `citebot token create`: the token on stdout, once; how to use it on stderr. */
export async function tokenCreateCommand(
  core: CitebotCore,
  options: { name: string; scopes: string; expires?: string; json?: boolean },
): Promise<number> {
  const { secret, token } = await createToken(core, options);
  if (options.json) {
    printJson({ ...tokenJson(token), token: secret });
    return 0;
  }
  process.stdout.write(`${secret}\n`);
  process.stderr.write(
    `Token "${token.name}" reads ${token.scopes.join(', ')}${token.expiresAt ? ` until ${token.expiresAt}` : ' until revoked'}.\n` +
      'It is shown only now: give it to the agent as CITEBOT_TOKEN (citebot mcp) or Authorization: Bearer (/mcp).\n',
  );
  return 0;
}

export async function tokenListCommand(core: CitebotCore, options: { json?: boolean }): Promise<number> {
  const tokens = await listTokens(core);
  if (options.json) {
    printJson({ tokens: tokens.map((t) => ({ ...tokenJson(t), state: state(t) })) });
    return 0;
  }
  if (tokens.length === 0) {
    process.stdout.write('No tokens. Create one with: citebot token create --name NAME --scopes "local:default"\n');
    return 0;
  }
  process.stdout.write(
    table(
      ['name', 'id', 'scopes', 'state', 'expires', 'last used'],
      tokens.map((t) => [t.name, t.id, t.scopes.join(', '), state(t), t.expiresAt ?? 'never', t.lastUsedAt ?? '']),
    ) + '\n',
  );
  return 0;
}

export async function tokenRevokeCommand(core: CitebotCore, nameOrId: string, options: { json?: boolean }): Promise<number> {
  const token = await revokeToken(core, nameOrId);
  if (options.json) printJson(tokenJson(token));
  else process.stdout.write(`Revoked token "${token.name}" (${token.id}): agents using it are refused from their next request.\n`);
  return 0;
}
