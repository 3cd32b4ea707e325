import { createHash } from 'node:crypto';
import { neutralizeMentions } from '../../text/mentions.js';
import type { ChunkMetadata, StoredChunk } from '../../store/chunk.js';
import {
  byTimeThenId,
  CONVERSATION_DOC_PREFIX,
  type ConversationChannel,
  type ConversationMessage,
} from '../../store/conversation-message.js';

/** Stand-alone messages of one day are one document until it holds this many; then a second part starts. */
export const MESSAGES_PER_DAY_DOCUMENT = 100;
const EXCERPT_CHARACTERS = 60;
export const CONVERSATION_MIME_TYPE = 'text/x-chat-conversation';

/** One document of a channel's conversation: a thread, or (part of) a day of stand-alone messages. */
export interface ConversationDocument {
  docId: string;
  /** Shown in citations like a file name: "#general thread: We should ship on…", "#general · 2026-11-30". */
  source: string;
  /** The first message's link. */
  url: string;
  messages: ConversationMessage[];
}

/** The document ids a group may produce, to tell which of a group's documents no longer exist. */
export function isDocumentOfGroup(docId: string, key: string): boolean {
  const id = `${CONVERSATION_DOC_PREFIX}${key}`;
  return docId === id || docId.startsWith(`${id}#`);
}

/** A group's messages as documents, messages in the order they were said. */
export function conversationDocuments(channel: ConversationChannel, key: string, messages: ConversationMessage[]): ConversationDocument[] {
  const ordered = [...messages].sort(byTimeThenId);
  if (ordered.length === 0) return [];
  const docId = `${CONVERSATION_DOC_PREFIX}${key}`;
  if (key.startsWith('thread:')) {
    return [{ docId, source: `${channel.name} thread: ${excerpt(ordered[0]!.text)}`, url: ordered[0]!.url, messages: ordered }];
  }
  const day = key.slice('day:'.length);
  const documents: ConversationDocument[] = [];
  for (let i = 0; i < ordered.length; i += MESSAGES_PER_DAY_DOCUMENT) {
    const part = i / MESSAGES_PER_DAY_DOCUMENT + 1;
    const slice = ordered.slice(i, i + MESSAGES_PER_DAY_DOCUMENT);
    documents.push({
      docId: part === 1 ? docId : `${docId}#${part}`,
      source: `${channel.name} · ${day}${part === 1 ? '' : ` (part ${part})`}`,
      url: slice[0]!.url,
      messages: slice,
    });
  }
  return documents;
}

function excerpt(text: string): string {
  const flat = neutralizeMentions(text).replace(/\s+/gu, ' ').trim();
  return flat.length <= EXCERPT_CHARACTERS ? flat : `${flat.slice(0, EXCERPT_CHARACTERS - 1).trimEnd()}…`;
}

/** Splits a long message into pieces of the chunk size (the file chunker's splitter). */
export type TextSplitter = (text: string) => Promise<string[]>;

/**
 * A conversation document's chunks: each message its own chunk (a long one several), so a citation
 * links the exact message and its location reads "author · date". The chunk id depends only on what
 * is embedded (scope, document, message, its text and the document's name): rewriting a thread
 * after a new reply keeps the other messages' ids, and the index does not embed them again.
 */
export async function conversationChunks(scope: string, document: ConversationDocument, split: TextSplitter): Promise<StoredChunk[]> {
  const owner = createHash('sha256').update(`${scope}\n${document.docId}`).digest('hex').slice(0, 16);
  const ingestedAt = new Date().toISOString();
  const chunks: StoredChunk[] = [];
  for (const message of document.messages) {
    const text = neutralizeMentions(message.text).trim();
    if (!text) continue;
    const pieces = (await split(text)).map((p) => p.trim()).filter(Boolean);
    for (const [piece, body] of pieces.entries()) {
      const chunkText = `${message.author}: ${body}`;
      const hash = createHash('sha256')
        .update(`${message.id}\n${message.author}\n${message.sentAt}\n${message.url}\n${document.source}\n${chunkText}`)
        .digest('hex')
        .slice(0, 16);
      const metadata: ChunkMetadata = {
        scope,
        docId: document.docId,
        source: document.source,
        url: message.url,
        chunkIndex: chunks.length,
        contentHash: hash,
        mimeType: CONVERSATION_MIME_TYPE,
        ingestedAt,
        messageId: message.id,
        author: message.author,
        sentAt: message.sentAt,
        ...(message.authorId !== undefined && { uploadedBy: message.authorId }),
        uploadedAt: message.sentAt,
      };
      chunks.push({ id: `${owner}-${hash}-${piece}`, text: chunkText, metadata });
    }
  }
  return chunks;
}

/** A document's content hash: the hash of its chunk ids, which cover every embedded byte. */
export function conversationHash(chunks: StoredChunk[]): string {
  return createHash('sha256')
    .update(chunks.map((c) => c.id).join('\n'))
    .digest('hex');
}
