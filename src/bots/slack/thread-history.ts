import type { webApi } from '@slack/bolt';
import type { Turn } from '../../chains/types.js';
import { isPlaceholder, withoutMention } from '../common/chat-text.js';

/** Turns kept from a thread: enough for follow-ups, small enough for the context budget. */
const MAX_TURNS = 12;

interface ThreadMessage {
  ts?: string;
  text?: string;
  user?: string;
  bot_id?: string;
}

/**
 * The thread before `beforeTs`, as conversation turns: citebot's messages are the assistant's,
 * everyone else's the user's. Placeholders and failures citebot posted are not part of it.
 */
export async function threadHistory(
  client: webApi.WebClient,
  channel: string,
  threadTs: string,
  beforeTs: string,
  botUserId: string,
): Promise<Turn[]> {
  const messages: ThreadMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const response = (await client.conversations.replies({ channel, ts: threadTs, limit: 200, ...(cursor && { cursor }) })) as {
      messages?: ThreadMessage[];
      response_metadata?: { next_cursor?: string };
    };
    messages.push(...(response.messages ?? []));
    cursor = response.response_metadata?.next_cursor;
    if (!cursor) break;
  }
  const turns: Turn[] = [];
  for (const message of messages) {
    if (!message.ts || Number(message.ts) >= Number(beforeTs) || !message.text) continue;
    const fromBot = message.user === botUserId;
    if (fromBot && (isPlaceholder(message.text) || message.text.startsWith('⚠️'))) continue;
    const content = fromBot ? message.text : withoutMention(message.text, botUserId);
    if (content) turns.push({ role: fromBot ? 'assistant' : 'user', content });
  }
  return turns.slice(-MAX_TURNS);
}
