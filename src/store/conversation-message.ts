/**
 * A message of a channel's conversation, as every platform hands it to the core: already filtered
 * (no bot, system or citebot messages) and with mentions turned into names where the platform knows them.
 */
export interface ConversationMessage {
  /** The platform's id: a Slack ts ("1700000000.000100"), a Discord snowflake. Unique in its channel. */
  id: string;
  /** The thread it belongs to (a Slack thread_ts, a Discord thread id); a thread's first message has its own id here. */
  threadId?: string;
  /** Display name of the author. */
  author: string;
  authorId?: string;
  /** ISO 8601 time it was posted. */
  sentAt: string;
  text: string;
  /** The exact message's link: a Slack permalink, a Discord message link. */
  url: string;
}

/** A channel whose conversation is indexed: its scope and the name shown in citations ("#general"). */
export interface ConversationChannel {
  scope: string;
  name: string;
}

/** What changed in a channel: messages new or edited (by id), and ids of messages deleted. */
export interface MessageChanges {
  upserts: ConversationMessage[];
  deletions: string[];
}

/** Document ids of conversation documents start with this: `/forget messages` removes exactly these. */
export const CONVERSATION_DOC_PREFIX = 'msg:';

/** Messages in the order they were said: by time, then by id (Discord snowflakes compare as numbers). */
export function byTimeThenId(a: ConversationMessage, b: ConversationMessage): number {
  if (a.sentAt !== b.sentAt) return a.sentAt < b.sentAt ? -1 : 1;
  return compareIds(a.id, b.id);
}

/** Slack ts and Discord snowflakes are decimal numbers of varying length: compare them as such. */
export function compareIds(a: string, b: string): number {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  if (ai!.length !== bi!.length) return ai!.length - bi!.length;
  if (ai !== bi) return ai! < bi! ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const [x, y] = [af.padEnd(width, '0'), bf.padEnd(width, '0')];
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * The group a message's document is built from: its thread, or the UTC day of a stand-alone message.
 * A thread is one document, however long; a day may become several (see `conversationDocuments` in src/ingest/conversation).
 */
export function groupKey(message: Pick<ConversationMessage, 'threadId' | 'sentAt'>): string {
  return message.threadId ? `thread:${message.threadId}` : `day:${message.sentAt.slice(0, 10)}`;
}
