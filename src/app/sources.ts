import type { CitebotCore } from '../core.js';
import { CONVERSATION_DOC_PREFIX } from '../ingest/conversation/message.js';
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
export function readableSources(core: CitebotCore, scope: string): ScopeSources[] {
  return core
    .readableScopes(scope)
    .map((s) => {
      const all = core.index.documents([s]);
      const files = all.filter((d) => !d.docId.startsWith(CONVERSATION_DOC_PREFIX));
      return { scope: s, own: s === scope, documents: files, conversationDocuments: all.length - files.length };
    })
    .filter((group) => group.own || group.documents.length > 0 || group.conversationDocuments > 0);
}

/** Every document in every scope (the CLI's `sources --all`). */
export function allSources(core: CitebotCore): DocumentEntry[] {
  return core.index.documents();
}
