import { BaseRetriever } from '@langchain/core/retrievers';
import { CitebotError } from '../../errors.js';
import type { DocumentIndex } from '../../store/document-index.js';

/**
 * Every search is bounded by the question's scopes. Retrievers take them at construction and
 * refuse to exist without them, so there is no code path that searches everything.
 */
export function requireScopes(scopes: readonly string[]): string[] {
  const clean = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  if (clean.length === 0) throw new CitebotError('invalid_input', 'a search needs at least one scope');
  return clean;
}

/** A retriever over citebot's index, bound at construction to the scopes it may search. */
export abstract class ScopedRetriever extends BaseRetriever {
  lc_namespace = ['citebot', 'retrievers'];
  protected readonly scopes: string[];

  constructor(
    protected readonly index: DocumentIndex,
    scopes: readonly string[],
    /** How many results to return. */
    protected readonly k: number,
  ) {
    super();
    this.scopes = requireScopes(scopes);
  }
}
