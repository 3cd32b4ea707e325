/**
 * Operator-granted sharing between scopes. A scope (`slack:T1:C2`, `discord:G1:C2`, `local:default`)
 * is an access boundary: a question sees its own scope's documents and nothing else, unless the
 * operator grants it here. Grants are written `source -> readers`, separated by `;` or new lines:
 *
 *   SHARED_SCOPES="slack:T1:C0HANDBOOK -> slack:T1:*; discord:G1:C9 -> discord:G1:C2"
 *
 * The source is always one exact scope (a wildcard source would share private channels by
 * accident); readers may end in `*` to cover every channel of a workspace or guild.
 */
export interface ScopeGrant {
  /** The scope whose documents are shared. */
  source: string;
  /** Who may read them: an exact scope, or a prefix ending in `*`. */
  readers: string;
}

const SCOPE = /^[a-z]+:[^\s*>]+$/u;
const READERS = /^(?:\*|[a-z]+:[^\s*>]*\*?)$/u;

export function parseScopeGrants(text: string): ScopeGrant[] {
  const grants: ScopeGrant[] = [];
  for (const entry of text
    .split(/[;\n]/u)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [source, readers, extra] = entry.split('->').map((part) => part.trim());
    if (!source || !readers || extra !== undefined) {
      throw new Error(`"${entry}" is not "source -> readers" (e.g. "slack:T1:C0HANDBOOK -> slack:T1:*")`);
    }
    if (!SCOPE.test(source)) throw new Error(`"${source}" is not one scope such as slack:T1:C2 (no wildcards on the shared side)`);
    if (!READERS.test(readers)) throw new Error(`"${readers}" is not a scope or a prefix ending in * such as slack:T1:*`);
    grants.push({ source, readers });
  }
  return grants;
}

function covers(readers: string, scope: string): boolean {
  return readers.endsWith('*') ? scope.startsWith(readers.slice(0, -1)) : readers === scope;
}

/** The scopes a question asked in `scope` may read: its own first, then those shared with it. */
export function readableScopes(scope: string, grants: readonly ScopeGrant[]): string[] {
  const scopes = [scope];
  for (const grant of grants) if (covers(grant.readers, scope) && !scopes.includes(grant.source)) scopes.push(grant.source);
  return scopes;
}
