import type { CitebotCore } from '../core.js';
import type { ConversationChannel, ConversationMessage } from '../store/conversation-message.js';
import { applyMessageChanges, newerCursor } from './conversation-sync.js';
import { messages, type Language } from '../messages/index.js';

/** Reads a channel's messages newer than `cursor` (all within the platform's bounds when undefined), a page at a time. */
export type ConversationReader = (cursor: string | undefined) => AsyncIterable<ConversationMessage[]>;

export interface ConversationIngestResult {
  /** Messages read (new since the cursor). */
  messages: number;
  /** Documents written and chunks in them. */
  documents: number;
  chunks: number;
  /** Messages of the channel now indexed. */
  total: number;
  /** A first read that went back only this many days (Slack's SLACK_HISTORY_DAYS): said when it found nothing. */
  historyDays?: number;
}

/**
 * `/ingest` of a channel's conversation: reads what is new since the channel's cursor, writes the
 * threads and days it touches, then moves the cursor, so a re-run reads only what is new and a run
 * that failed half-way is read again from where the last complete one ended. From now on the
 * channel is followed: its message events are applied (see ConversationFollower).
 * Run inside the scope's ingest queue.
 */
export async function ingestConversation(
  core: CitebotCore,
  channel: ConversationChannel,
  read: ConversationReader,
  onProgress?: (messages: number) => void,
): Promise<ConversationIngestResult> {
  const store = core.state.messages;
  const known = await store.channel(channel.scope);
  await store.follow(channel.scope, channel.name);
  let cursor = known?.cursor;
  const result = { messages: 0, documents: 0, chunks: 0 };
  for await (const page of read(known?.cursor)) {
    if (page.length === 0) continue;
    const update = await applyMessageChanges(core, channel, { upserts: page, deletions: [] });
    result.messages += page.length;
    result.documents += update.documents;
    result.chunks += update.chunks;
    for (const m of page) cursor = newerCursor(cursor, m.id);
    onProgress?.(result.messages);
  }
  if (cursor) await store.setCursor(channel.scope, cursor);
  return { ...result, total: await store.count(channel.scope) };
}

/** One line of what a conversation ingest did, in the channel's language. */
export function summarizeConversation(result: ConversationIngestResult, language: Language = 'en'): string {
  return messages(language).ingest.conversationSummary(result);
}
