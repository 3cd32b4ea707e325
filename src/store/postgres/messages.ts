import { groupKey, type ConversationMessage } from '../conversation-message.js';
import type { ChannelMessageStore, FollowedChannel } from '../ports.js';
import { toMessage, type MessageRow } from '../sqlite/messages.js';
import type { PgDatabase } from './database.js';

/** Channel messages and cursors in PostgreSQL (see the port). */
export class PgChannelMessageStore implements ChannelMessageStore {
  constructor(private readonly db: PgDatabase) {}

  async channel(scope: string): Promise<FollowedChannel | undefined> {
    const [row] = await this.db.rows<{ scope: string; name: string; cursor: string | null }>(
      'SELECT scope, name, cursor FROM conversation_channels WHERE scope = $1',
      [scope],
    );
    return row && { scope: row.scope, name: row.name, ...(row.cursor !== null && { cursor: row.cursor }) };
  }

  async follow(scope: string, name: string, cursor?: string): Promise<void> {
    await this.db.query(
      `INSERT INTO conversation_channels (scope, name, cursor, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope) DO UPDATE SET name = excluded.name, cursor = COALESCE(excluded.cursor, conversation_channels.cursor),
         updated_at = excluded.updated_at`,
      [scope, name, cursor ?? null, new Date().toISOString()],
    );
  }

  async followedScopes(prefix: string): Promise<string[]> {
    const rows = await this.db.rows<{ scope: string }>(
      'SELECT scope FROM conversation_channels WHERE left(scope, $1) = $2 ORDER BY scope COLLATE "C"',
      [prefix.length, prefix],
    );
    return rows.map((r) => r.scope);
  }

  async setCursor(scope: string, cursor: string): Promise<void> {
    await this.db.query('UPDATE conversation_channels SET cursor = $2, updated_at = $3 WHERE scope = $1', [
      scope,
      cursor,
      new Date().toISOString(),
    ]);
  }

  async unfollow(scope: string): Promise<void> {
    await this.db.transaction(async (q) => {
      await q.query('DELETE FROM conversation_messages WHERE scope = $1', [scope]);
      await q.query('DELETE FROM conversation_channels WHERE scope = $1', [scope]);
    });
  }

  async get(scope: string, id: string): Promise<ConversationMessage | undefined> {
    const [row] = await this.db.rows<MessageRow>('SELECT * FROM conversation_messages WHERE scope = $1 AND message_id = $2', [scope, id]);
    return row && toMessage(row);
  }

  async hasReplies(scope: string, id: string): Promise<boolean> {
    const rows = await this.db.rows(
      'SELECT 1 FROM conversation_messages WHERE scope = $1 AND thread_id = $2 AND message_id <> $2 LIMIT 1',
      [scope, id],
    );
    return rows.length > 0;
  }

  async inGroup(scope: string, key: string): Promise<ConversationMessage[]> {
    const rows = await this.db.rows<MessageRow>('SELECT * FROM conversation_messages WHERE scope = $1 AND group_key = $2', [scope, key]);
    return rows.map(toMessage);
  }

  async count(scope: string): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>('SELECT count(*) AS n FROM conversation_messages WHERE scope = $1', [scope]);
    return row!.n;
  }

  async save(scope: string, upserts: ConversationMessage[], deletions: string[]): Promise<void> {
    await this.db.transaction(async (q) => {
      for (const m of upserts)
        await q.query(
          `INSERT INTO conversation_messages (scope, message_id, thread_id, group_key, author, author_id, sent_at, text, url)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (scope, message_id) DO UPDATE SET thread_id = excluded.thread_id, group_key = excluded.group_key,
             author = excluded.author, author_id = excluded.author_id, sent_at = excluded.sent_at, text = excluded.text, url = excluded.url`,
          [scope, m.id, m.threadId ?? null, groupKey(m), m.author, m.authorId ?? null, m.sentAt, m.text, m.url],
        );
      if (deletions.length)
        await q.query('DELETE FROM conversation_messages WHERE scope = $1 AND message_id = ANY($2::text[])', [scope, deletions]);
    });
  }
}
