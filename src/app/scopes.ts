import type { CitebotCore } from '../core.js';

/** The scopes that hold at least one document, sorted. */
export function scopesInUse(core: CitebotCore): string[] {
  return [...new Set(core.index.documents().map((d) => d.scope))].sort();
}

/**
 * A warning when nothing is indexed in `scope` but other scopes hold documents (a typo, most likely),
 * naming those; undefined when the scope, or a scope shared with it, has documents.
 */
export function emptyScopeWarning(core: CitebotCore, scope: string): string | undefined {
  if (core.readableScopes(scope).some((s) => core.index.documents([s]).length > 0)) return undefined;
  const used = scopesInUse(core);
  // With nothing indexed anywhere, the command's own "nothing indexed yet" says it better.
  if (used.length === 0) return undefined;
  return `scope ${scope} has no documents; scopes with documents: ${used.slice(0, 10).join(', ')}${used.length > 10 ? ', …' : ''}`;
}
