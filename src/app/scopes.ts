import type { CitebotCore } from '../core.js';

/** The scopes that hold at least one document, sorted. */
export async function scopesInUse(core: CitebotCore): Promise<string[]> {
  return [...new Set((await core.index.documents()).map((d) => d.scope))].sort();
}

/**
 * A warning when nothing is indexed in `scope` but other scopes hold documents (a typo, most likely),
 * naming those; undefined when the scope, or a scope shared with it, has documents.
 */
export async function emptyScopeWarning(core: CitebotCore, scope: string): Promise<string | undefined> {
  if ((await core.index.documents(core.readableScopes(scope))).length > 0) return undefined;
  const used = await scopesInUse(core);
  // With nothing indexed anywhere, the command's own "nothing indexed yet" says it better.
  if (used.length === 0) return undefined;
  return `scope ${scope} has no documents; scopes with documents: ${used.slice(0, 10).join(', ')}${used.length > 10 ? ', …' : ''}`;
}
