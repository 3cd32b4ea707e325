import type { CitebotCore } from '../core.js';
import { DocumentChunker } from '../ingest/chunker.js';
import {
  CONVERSATION_MIME_TYPE,
  conversationChunks,
  conversationDocuments,
  conversationHash,
  isDocumentOfGroup,
} from '../ingest/conversation/documents.js';
import {
  compareIds,
  CONVERSATION_DOC_PREFIX,
  groupKey,
  type ConversationChannel,
  type ConversationMessage,
  type MessageChanges,
} from '../store/conversation-message.js';

/** Documents written at once while applying a batch. */
const GROUP_CONCURRENCY = 4;

/** What applying a batch of changes did. */
export interface ConversationUpdate {
  /** Messages stored or removed. */
  messages: number;
  /** Documents written (new or changed) and removed. */
  documents: number;
  removed: number;
  /** Chunks of the written documents (embedded only if new: see DocumentIndex.write). */
  chunks: number;
}

/**
 * Applies new, edited and deleted messages of one channel to the index: the messages are stored,
 * and each thread or day they touch is rebuilt and written again, so an edit's old text and a
 * deleted message are gone from every answer. A document that is left with no message is removed.
 * Run it inside the scope's ingest queue (see queueIngest): it reads then writes the scope's documents.
 */
export async function applyMessageChanges(
  core: CitebotCore,
  channel: ConversationChannel,
  changes: MessageChanges,
): Promise<ConversationUpdate> {
  const { scope } = channel;
  const store = core.state.messages;
  const touched = new Set<string>();
  const deletions: string[] = [];
  for (const id of changes.deletions) {
    const old = await store.get(scope, id);
    if (old) touched.add(groupKey(old));
    if (old) deletions.push(id);
  }
  // The last version of each message wins within a batch.
  const latest = new Map<string, ConversationMessage>();
  for (const m of changes.upserts) if (!deletions.includes(m.id)) latest.set(m.id, m);
  const upserts: ConversationMessage[] = [];
  for (const m of latest.values()) {
    const old = await store.get(scope, m.id);
    // A message that someone replied to starts a thread: it moves from its day into the thread.
    const startsThread = !m.threadId && ([...latest.values()].some((r) => r.threadId === m.id) || (await store.hasReplies(scope, m.id)));
    const message = startsThread ? { ...m, threadId: m.id } : m;
    if (old) touched.add(groupKey(old));
    touched.add(groupKey(message));
    upserts.push(message);
    if (message.threadId && message.threadId !== message.id && !latest.has(message.threadId)) {
      const root = await store.get(scope, message.threadId);
      if (root && !root.threadId) {
        touched.add(groupKey(root));
        upserts.push({ ...root, threadId: root.id });
        touched.add(groupKey({ ...root, threadId: root.id }));
      }
    }
  }
  await store.save(scope, upserts, deletions);
  const rebuilt = await rebuildGroups(core, channel, [...touched]);
  return { messages: upserts.length + deletions.length, ...rebuilt };
}

/** Writes the documents of these groups from the stored messages, removing those that no longer exist. */
async function rebuildGroups(
  core: CitebotCore,
  channel: ConversationChannel,
  keys: string[],
): Promise<Omit<ConversationUpdate, 'messages'>> {
  const { scope } = channel;
  const index = await core.openIndex();
  const chunker = new DocumentChunker({ chunkTokens: core.settings.CHUNK_TOKENS, overlapTokens: core.settings.CHUNK_OVERLAP_TOKENS });
  const existing = (await index.documents([scope])).filter((d) => d.docId.startsWith(CONVERSATION_DOC_PREFIX));
  let documents = 0;
  let removed = 0;
  let chunks = 0;
  const rebuild = async (key: string) => {
    const written = new Set<string>();
    for (const doc of conversationDocuments(channel, key, await core.state.messages.inGroup(scope, key))) {
      const docChunks = await conversationChunks(scope, doc, (text) => chunker.split(text));
      if (docChunks.length === 0) continue;
      written.add(doc.docId);
      const contentHash = conversationHash(docChunks);
      const previous = await index.document(scope, doc.docId);
      if (previous?.status === 'indexed' && previous.contentHash === contentHash) continue;
      await index.write(
        {
          scope,
          docId: doc.docId,
          source: doc.source,
          url: doc.url,
          kind: 'conversation',
          mimeType: CONVERSATION_MIME_TYPE,
          contentHash,
          bytes: doc.messages.reduce((sum, m) => sum + Buffer.byteLength(m.text), 0),
          uploadedBy: doc.messages[0]!.authorId,
          uploadedAt: doc.messages[0]!.sentAt,
        },
        docChunks,
      );
      documents++;
      chunks += docChunks.length;
    }
    for (const stale of existing.filter((d) => isDocumentOfGroup(d.docId, key) && !written.has(d.docId))) {
      await index.forget(scope, stale.docId);
      removed++;
    }
  };
  // A few documents at a time, as the file indexer does: one embeds while another is written to Chroma.
  let next = 0;
  const worker = async () => {
    while (next < keys.length) await rebuild(keys[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(GROUP_CONCURRENCY, keys.length) }, worker));
  return { documents, removed, chunks };
}

/** The newer of two platform cursors (ids compare as numbers). */
export function newerCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareIds(a, b) >= 0 ? a : b;
}

/** `/forget messages`: a channel's conversation out of every index, and the channel no longer followed. */
export async function forgetConversation(core: CitebotCore, scope: string): Promise<{ documents: number; chunks: number }> {
  const index = await core.openIndex();
  let chunks = 0;
  const docs = (await index.documents([scope])).filter((d) => d.docId.startsWith(CONVERSATION_DOC_PREFIX));
  for (const doc of docs) chunks += await index.forget(scope, doc.docId);
  await core.state.messages.unfollow(scope);
  return { documents: docs.length, chunks };
}
