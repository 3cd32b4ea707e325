import type { CitebotCore } from '../core.js';
import { CitebotError } from '../errors.js';
import { parseScopePatterns, patternContains, patternCovers, scopesForPatterns } from '../scope-patterns.js';
import type { AccessToken, TokenRefusal } from '../store/ports.js';
import { scopesInUse } from './scopes.js';

/** What one agent request may do: the token it came with and the scope patterns it reads. */
export interface AgentAccess {
  tokenId: string;
  name: string;
  /** The token's patterns, or the narrower ones a `--scope` chose. */
  patterns: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;
const DURATION = /^(\d{1,5})([hdw])$/u;
const HOURS = { h: 1, d: 24, w: 24 * 7 } as const;

/** "30d" → the moment 30 days from `now`; hours (h), days (d) and weeks (w). */
export function expiryFrom(text: string, now = new Date()): Date {
  const match = DURATION.exec(text.trim());
  const amount = Number(match?.[1] ?? 0);
  if (!match || amount === 0)
    throw new CitebotError('invalid_input', `--expires "${text}" is not a duration`, {
      fix: 'use hours, days or weeks, e.g. 12h, 30d or 8w',
    });
  return new Date(now.getTime() + amount * HOURS[match[2] as keyof typeof HOURS] * 3_600_000);
}

function patternsOrThrow(text: string, option: string): string[] {
  try {
    return parseScopePatterns(text);
  } catch (error) {
    throw new CitebotError('invalid_input', `${option}: ${(error as Error).message}`, {
      fix: `list scopes separated by commas, e.g. ${option} "slack:T0123:C0456,local:*"`,
    });
  }
}

/** A new token for `name` granting the `scopes` patterns; the secret is in the result, and only there. */
export async function createToken(
  core: CitebotCore,
  input: { name: string; scopes: string; expires?: string },
): Promise<{ secret: string; token: AccessToken }> {
  if (!NAME.test(input.name))
    throw new CitebotError('invalid_input', `token name "${input.name}" is not allowed`, {
      fix: 'use letters, digits, . _ - (up to 64), e.g. --name claude-desktop',
    });
  const scopes = patternsOrThrow(input.scopes, '--scopes');
  const expiresAt = input.expires === undefined ? undefined : expiryFrom(input.expires);
  if (await core.state.tokens.active(input.name))
    throw new CitebotError('invalid_input', `a token named "${input.name}" exists`, {
      fix: `choose another --name, or revoke it first: citebot token revoke ${input.name}`,
    });
  return core.state.tokens.create({ name: input.name, scopes, expiresAt });
}

export function listTokens(core: CitebotCore): Promise<AccessToken[]> {
  return core.state.tokens.list();
}

/** Revoke by name or id; not_found when there is no active token of that name. */
export async function revokeToken(core: CitebotCore, nameOrId: string): Promise<AccessToken> {
  const revoked = await core.state.tokens.revoke(nameOrId);
  if (!revoked) throw new CitebotError('not_found', `no active token "${nameOrId}"`, { fix: 'citebot token list shows the tokens' });
  return revoked;
}

const REFUSED: Record<TokenRefusal, { reason: string; fix: string }> = {
  malformed: { reason: 'the access token is not a citebot token', fix: 'use the whole token `citebot token create` printed (citebot_…)' },
  unknown: { reason: 'the access token is not known', fix: 'create one with `citebot token create --name NAME --scopes …`' },
  revoked: { reason: 'the access token was revoked', fix: 'ask the operator for a new one (`citebot token create`)' },
  expired: { reason: 'the access token has expired', fix: 'ask the operator for a new one (`citebot token create --expires …`)' },
};

/**
 * The access a presented token gives, checked now (a revoked or expired token fails at once).
 * `narrow` (the stdio `--scope`) may only pick patterns the token already grants, never add to them.
 */
export async function authorize(core: CitebotCore, presented: string | undefined, narrow?: string): Promise<AgentAccess> {
  if (!presented?.trim())
    throw new CitebotError('unauthorized', 'no access token', {
      fix: 'set CITEBOT_TOKEN (or --token, or the Authorization: Bearer header) to a token from `citebot token create`',
    });
  const check = await core.state.tokens.check(presented);
  if (!check.ok) throw new CitebotError('unauthorized', REFUSED[check.refusal].reason, { fix: REFUSED[check.refusal].fix });
  const { token } = check;
  await core.state.tokens.touch(token.id);
  const access = { tokenId: token.id, name: token.name, patterns: token.scopes };
  if (narrow === undefined) return access;
  const wanted = patternsOrThrow(narrow, '--scope');
  const outside = wanted.filter((w) => !token.scopes.some((p) => patternContains(p, w)));
  if (outside.length)
    throw new CitebotError('unauthorized', `token "${token.name}" does not grant ${outside.join(', ')}`, {
      fix: `--scope may only narrow the token's scopes (${token.scopes.join(', ')})`,
    });
  return { ...access, patterns: wanted };
}

/**
 * The exact scopes a request reads: what its patterns cover plus what SHARED_SCOPES shares with them.
 * With `scope` (one of those), that scope and its shares, still within the token's.
 */
export async function readableScopes(core: CitebotCore, access: AgentAccess, scope?: string): Promise<string[]> {
  const hasWildcard = access.patterns.some((p) => p.endsWith('*'));
  const all = scopesForPatterns(access.patterns, core.settings.SHARED_SCOPES, hasWildcard ? await scopesInUse(core) : []);
  if (scope === undefined) return all;
  if (!all.includes(scope) && !access.patterns.some((p) => patternCovers(p, scope)))
    throw new CitebotError('unauthorized', `token "${access.name}" may not read ${scope}`, {
      fix: 'call the sources tool for the scopes this token reads, or leave scope out to search them all',
    });
  return core.readableScopes(scope).filter((s) => s === scope || all.includes(s));
}
