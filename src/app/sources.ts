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

/** A document's state as a person should read it: `indexing` whose writer process is gone is `interrupted`. */
export function documentState(d: DocumentEntry): DocumentEntry['status'] | 'interrupted' {
  return d.status === 'indexing' && !processAlive(d.writer) ? 'interrupted' : d.status;
}

/** The note shown next to a document: its error, or how to finish an interrupted one. */
export function documentNote(d: DocumentEntry): string {
  if (documentState(d) === 'interrupted') return 'interrupted before it was indexed; ingest it again to complete it';
  return d.error ?? '';
}

function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
