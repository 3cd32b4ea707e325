import type { webApi } from '@slack/bolt';
import type { ConversationMessage } from '../../store/conversation-message.js';
import { conversationMessage, isSpokenMessage, type SlackNames, type SlackRawMessage } from './conversation-messages.js';

/** Messages per history or replies request (Slack allows up to 999; 200 is what it recommends). */
const PAGE = 200;

interface Page {
  messages?: SlackRawMessage[];
  has_more?: boolean;
  response_metadata?: { next_cursor?: string };
}

export interface SlackHistoryOptions {
  channel: string;
  botUserId: string;
  workspaceUrl: string;
  names: SlackNames;
  /** Read only what is newer than this ts (exclusive). */
  oldest: string;
}

/**
 * A channel's conversation, a history page at a time, newest pages first: its top-level messages
 * (conversations.history) and, for each thread among them, every reply (conversations.replies),
 * both paged with Slack's cursors. Rate limits (HTTP 429) are waited out by the WebClient, which
 * honours Retry-After. Messages that are not people talking are left out.
 */
export async function* readSlackHistory(client: webApi.WebClient, o: SlackHistoryOptions): AsyncGenerator<ConversationMessage[]> {
  let cursor: string | undefined;
  do {
    const page = (await client.conversations.history({ channel: o.channel, limit: PAGE, oldest: o.oldest, cursor })) as Page;
    const out: ConversationMessage[] = [];
    for (const m of page.messages ?? []) {
      if (isSpokenMessage(m, o.botUserId)) out.push(await conversationMessage(m, o.channel, o.names, o.workspaceUrl));
      if ((m.reply_count ?? 0) > 0 && (m.thread_ts ?? m.ts) === m.ts) out.push(...(await readThread(client, o, m.ts)));
    }
    yield out;
    cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
  } while (cursor);
}

async function readThread(client: webApi.WebClient, o: SlackHistoryOptions, threadTs: string): Promise<ConversationMessage[]> {
  const out: ConversationMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = (await client.conversations.replies({ channel: o.channel, ts: threadTs, limit: PAGE, cursor })) as Page;
    for (const m of page.messages ?? []) {
      // The parent comes with the replies; it was read from the history already.
      if (m.ts === threadTs || !isSpokenMessage(m, o.botUserId)) continue;
      out.push(await conversationMessage({ ...m, thread_ts: m.thread_ts ?? threadTs }, o.channel, o.names, o.workspaceUrl));
    }
    cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
  } while (cursor);
  return out;
}

/** Slack's `oldest` for a first read: SLACK_HISTORY_DAYS ago. */
export function historyStart(days: number, now = Date.now()): string {
  return `${Math.floor((now - days * 86_400_000) / 1000)}.000000`;
}
