/**
 * The scopes an access token grants, written as patterns: an exact scope (`slack:T1:C1`) or every
 * channel under a prefix (`local:*`, `slack:*`, `slack:T1:*`, `discord:G1:*`). A token reads the
 * scopes its patterns cover, plus what SHARED_SCOPES shares with any of them, and nothing else.
 */
import type { ScopeGrant } from './scope-grants.js';
import { scopeProblem } from './scope-names.js';

const PLATFORMS = ['local', 'slack', 'discord'];

/** Why `pattern` is not a scope pattern, or undefined when it is one. */
export function scopePatternProblem(pattern: string): string | undefined {
  if (!pattern.endsWith('*')) return scopeProblem(pattern);
  const prefix = pattern.slice(0, -1);
  const parts = prefix.split(':');
  const platform = parts[0] ?? '';
  const wildcardForms = 'local:*, slack:*, slack:<team>:*, discord:* or discord:<guild>:*';
  if (!prefix.endsWith(':') || !PLATFORMS.includes(platform)) return `"${pattern}" is not a scope pattern: expected ${wildcardForms}`;
  // `slack:T1:*`: the workspace part must be a valid one, checked as a whole scope with a sample channel.
  if (parts.length === 3 && platform !== 'local' && !scopeProblem(`${prefix}C0`)) return undefined;
  if (parts.length === 2) return undefined;
  return `"${pattern}" is not a scope pattern: expected ${wildcardForms}`;
}

/** Parse "slack:T1:C1, local:*" into patterns, each checked; throws one message naming every bad one. */
export function parseScopePatterns(text: string): string[] {
  const patterns = [
    ...new Set(
      text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
  if (patterns.length === 0) throw new Error('no scopes given: expected e.g. "slack:T1:C1,local:*"');
  const problems = patterns.map(scopePatternProblem).filter((p): p is string => p !== undefined);
  if (problems.length) throw new Error(problems.join('; '));
  return patterns;
}

const prefixOf = (pattern: string) => (pattern.endsWith('*') ? pattern.slice(0, -1) : undefined);

/** Whether `pattern` covers the exact scope `scope`. */
export function patternCovers(pattern: string, scope: string): boolean {
  const prefix = prefixOf(pattern);
  return prefix === undefined ? pattern === scope : scope.startsWith(prefix);
}

/** Whether every scope `inner` covers is covered by `outer` (a narrowing never widens). */
export function patternContains(outer: string, inner: string): boolean {
  const outerPrefix = prefixOf(outer);
  const innerPrefix = prefixOf(inner);
  if (outerPrefix === undefined) return innerPrefix === undefined && outer === inner;
  return (innerPrefix ?? inner).startsWith(outerPrefix);
}

/** Whether some scope is covered by both (a pattern and a SHARED_SCOPES readers entry, which may be `*`). */
function overlaps(a: string, b: string): boolean {
  const pa = prefixOf(a);
  const pb = prefixOf(b);
  if (pa === undefined && pb === undefined) return a === b;
  if (pa === undefined) return a.startsWith(pb!);
  if (pb === undefined) return b.startsWith(pa);
  return pa.startsWith(pb) || pb.startsWith(pa);
}

/**
 * The exact scopes a token with `patterns` reads: the granted ones (exact patterns, and every scope in
 * `scopesInUse` a wildcard covers), then each scope SHARED_SCOPES shares with any scope they cover.
 */
export function scopesForPatterns(patterns: readonly string[], grants: readonly ScopeGrant[], scopesInUse: readonly string[]): string[] {
  const scopes = patterns.filter((p) => prefixOf(p) === undefined);
  for (const scope of scopesInUse) if (!scopes.includes(scope) && patterns.some((p) => patternCovers(p, scope))) scopes.push(scope);
  for (const grant of grants)
    if (!scopes.includes(grant.source) && patterns.some((p) => overlaps(p, grant.readers))) scopes.push(grant.source);
  return scopes;
}
