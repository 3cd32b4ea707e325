import { CitebotError } from '../../errors.js';

/**
 * Every search is bounded by the question's scopes. Retrievers take them at construction and
 * refuse to exist without them, so there is no code path that searches everything.
 */
export function requireScopes(scopes: readonly string[]): string[] {
  const clean = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  if (clean.length === 0) throw new CitebotError('invalid_input', 'a search needs at least one scope');
  return clean;
}
