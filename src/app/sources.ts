import type { CitebotCore } from '../core.js';
import type { DocumentEntry } from '../store/ledger.js';

export interface ScopeSources {
  scope: string;
  /** True for the scope asked about; false for one the operator shares with it. */
  own: boolean;
  documents: DocumentEntry[];
}

/** What `sources` shows: the scope's own documents, then each shared scope that has any. */
export function readableSources(core: CitebotCore, scope: string): ScopeSources[] {
  return core
    .readableScopes(scope)
    .map((s) => ({ scope: s, own: s === scope, documents: core.index.documents([s]) }))
    .filter((group) => group.own || group.documents.length > 0);
}

/** Every document in every scope (the CLI's `sources --all`). */
export function allSources(core: CitebotCore): DocumentEntry[] {
  return core.index.documents();
}
