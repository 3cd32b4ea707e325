import type { CitebotCore } from '../core.js';
import { CONVERSATION_DOC_PREFIX } from '../store/conversation-message.js';
import type { DocumentEntry } from '../store/ledger.js';

export interface ScopeSources {
  scope: string;
  /** True for the scope asked about; false for one the operator shares with it. */
  own: boolean;
  /** Files (a channel's conversation is counted in `conversationDocuments`, not listed: it may be thousands of threads). */
  documents: DocumentEntry[];
  /** Thread and day documents of the channel's indexed conversation. */
  conversationDocuments: number;
}

/** What `sources` shows: the scope's own documents, then each shared scope that has any. */
export async function readableSources(core: CitebotCore, scope: string): Promise<ScopeSources[]> {
  const groups = await Promise.all(core.readableScopes(scope).map((s) => scopeSources(core, s, s === scope)));
  return groups.filter((group) => group.own || group.documents.length > 0 || group.conversationDocuments > 0);
}

/** One scope's files, and how many conversation documents it holds. */
export async function scopeSources(core: CitebotCore, scope: string, own: boolean): Promise<ScopeSources> {
  const all = await core.index.documents([scope]);
  const files = all.filter((d) => !d.docId.startsWith(CONVERSATION_DOC_PREFIX));
  return { scope, own, documents: files, conversationDocuments: all.length - files.length };
}

/** Every document in every scope (the CLI's `sources --all`). */
export function allSources(core: CitebotCore): Promise<DocumentEntry[]> {
  return core.index.documents();
}

/** A document's state as a person should read it: `indexing` whose writer's lease is gone is `interrupted`. */
export function documentState(d: DocumentEntry): DocumentEntry['status'] | 'interrupted' {
  return d.interrupted ? 'interrupted' : d.status;
}

/** The note shown next to a document: its error, or how to finish an interrupted one. */
export function documentNote(d: DocumentEntry): string {
  if (documentState(d) === 'interrupted') return 'interrupted before it was indexed; ingest it again to complete it';
  return d.error ?? '';
}
