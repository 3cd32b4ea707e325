import { groupKey, type ConversationMessage } from '../conversation-message.js';
import type { Db } from '../database.js';
import type { ChannelMessageStore, FollowedChannel } from '../ports.js';

export interface MessageRow {
  message_id: string;
  thread_id: string | null;
  author: string;
  author_id: string | null;
  sent_at: string;
  text: string;
  url: string;
}

export const toMessage = (r: MessageRow): ConversationMessage => ({
  id: r.message_id,
  ...(r.thread_id !== null && { threadId: r.thread_id }),
  author: r.author,
  ...(r.author_id !== null && { authorId: r.author_id }),
  sentAt: r.sent_at,
  text: r.text,
  url: r.url,
});

/**
 * The messages of every channel whose conversation is indexed, and each channel's cursor. The index
 * holds their chunks; this holds the messages, so a thread or day is rebuilt when one message of it
 * changes without asking the platform for the rest.
 */
export class SqliteChannelMessageStore implements ChannelMessageStore {
  constructor(private readonly db: Db) {}

  async channel(scope: string): Promise<FollowedChannel | undefined> {
    const row = this.db.prepare('SELECT scope, name, cursor FROM conversation_channels WHERE scope = ?').get(scope) as
      { scope: string; name: string; cursor: string | null } | undefined;
    return row && { scope: row.scope, name: row.name, ...(row.cursor !== null && { cursor: row.cursor }) };
  }

  /** Start (or keep) following a channel; `cursor` given moves it, undefined keeps it. */
  async follow(scope: string, name: string, cursor?: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO conversation_channels (scope, name, cursor, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET name = excluded.name, cursor = COALESCE(excluded.cursor, cursor), updated_at = excluded.updated_at`,
      )
      .run(scope, name, cursor ?? null, new Date().toISOString());
  }

  /** Scopes followed whose name starts with `prefix` ("slack:T1:"). */
  async followedScopes(prefix: string): Promise<string[]> {
    return (
      this.db
        .prepare('SELECT scope FROM conversation_channels WHERE substr(scope, 1, ?) = ? ORDER BY scope')
        .all(prefix.length, prefix) as {
        scope: string;
      }[]
    ).map((r) => r.scope);
  }

  async setCursor(scope: string, cursor: string): Promise<void> {
    this.db
      .prepare('UPDATE conversation_channels SET cursor = ?, updated_at = ? WHERE scope = ?')
      .run(cursor, new Date().toISOString(), scope);
  }

  /** Stop following a channel and drop its messages (`/forget messages`). */
  async unfollow(scope: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM conversation_messages WHERE scope = ?').run(scope);
      this.db.prepare('DELETE FROM conversation_channels WHERE scope = ?').run(scope);
    })();
  }

  async get(scope: string, id: string): Promise<ConversationMessage | undefined> {
    const row = this.db.prepare('SELECT * FROM conversation_messages WHERE scope = ? AND message_id = ?').get(scope, id) as
      MessageRow | undefined;
    return row && toMessage(row);
  }

  /** Whether some stored message replies in the thread `id`: then the message `id` starts a thread. */
  async hasReplies(scope: string, id: string): Promise<boolean> {
    return (
      this.db
        .prepare('SELECT 1 FROM conversation_messages WHERE scope = ? AND thread_id = ? AND message_id != ? LIMIT 1')
        .get(scope, id, id) !== undefined
    );
  }

  async inGroup(scope: string, key: string): Promise<ConversationMessage[]> {
    return (this.db.prepare('SELECT * FROM conversation_messages WHERE scope = ? AND group_key = ?').all(scope, key) as MessageRow[]).map(
      toMessage,
    );
  }

  async count(scope: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM conversation_messages WHERE scope = ?').get(scope) as { n: number }).n;
  }

  /** Stores messages (replacing those with the same id) and removes deleted ids, in one transaction. */
  async save(scope: string, upserts: ConversationMessage[], deletions: string[]): Promise<void> {
    const put = this.db.prepare(
      `INSERT INTO conversation_messages (scope, message_id, thread_id, group_key, author, author_id, sent_at, text, url)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, message_id) DO UPDATE SET thread_id = excluded.thread_id, group_key = excluded.group_key,
         author = excluded.author, author_id = excluded.author_id, sent_at = excluded.sent_at, text = excluded.text, url = excluded.url`,
    );
    const remove = this.db.prepare('DELETE FROM conversation_messages WHERE scope = ? AND message_id = ?');
    this.db.transaction(() => {
      for (const m of upserts) put.run(scope, m.id, m.threadId ?? null, groupKey(m), m.author, m.authorId ?? null, m.sentAt, m.text, m.url);
      for (const id of deletions) remove.run(scope, id);
    })();
  }
}
