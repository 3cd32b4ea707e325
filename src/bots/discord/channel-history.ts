import { MessageType, type Collection, type Message, type TextBasedChannel } from 'discord.js';
import type { ConversationMessage } from '../../store/conversation-message.js';

/** Messages per history request: Discord's maximum. */
const PAGE = 100;

/** People talking: a message or a reply, not a bot's (citebot's included), a webhook's, or the system's (joins, pins, boosts, thread starters). */
export function isSpokenDiscordMessage(m: Message, botId: string): boolean {
  if (m.author.bot || m.author.id === botId || m.webhookId || m.system) return false;
  if (m.type !== MessageType.Default && m.type !== MessageType.Reply) return false;
  return Boolean(m.content.trim());
}

/**
 * A Discord message in the core's form. `cleanContent` shows mentions as names and makes
 * @everyone / @here inert; the link is the message's own. A message that started a thread shares
 * the thread's id, so it is that thread's first message.
 */
export function discordConversationMessage(m: Message, threadId?: string): ConversationMessage {
  const thread = threadId ?? (m.hasThread ? m.id : undefined);
  return {
    id: m.id,
    ...(thread && { threadId: thread }),
    author: m.member?.displayName ?? m.author.globalName ?? m.author.username,
    authorId: m.author.id,
    sentAt: m.createdAt.toISOString(),
    text: m.cleanContent,
    url: m.url,
  };
}

export interface DiscordReadOptions {
  botId: string;
  /** Only messages newer than this snowflake; undefined: the latest `limit` messages. */
  after?: string;
  /** DISCORD_HISTORY_LIMIT: most messages read per channel or thread. */
  limit: number;
}

/** One channel's (or thread's) spoken messages, a page at a time: forward from `after`, or back from the newest. */
export async function* readDiscordMessages(
  channel: TextBasedChannel,
  o: DiscordReadOptions,
  threadId?: string,
): AsyncGenerator<ConversationMessage[]> {
  let read = 0;
  let after = o.after;
  let before: string | undefined;
  while (read < o.limit) {
    const asked = Math.min(PAGE, o.limit - read);
    const page: Collection<string, Message> = await channel.messages.fetch(
      after ? { limit: asked, after } : { limit: asked, ...(before && { before }) },
    );
    if (page.size === 0) return;
    read += page.size;
    yield [...page.values()].filter((m) => isSpokenDiscordMessage(m, o.botId)).map((m) => discordConversationMessage(m, threadId));
    const ids = [...page.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    if (after) after = ids.at(-1);
    else before = ids[0];
    if (page.size < asked) return;
  }
}

/**
 * A channel's conversation: its own messages, then each of its active threads' (a thread is one
 * document, its messages cited in the thread). Archived threads are not listed.
 */
export async function* readDiscordConversation(channel: TextBasedChannel, o: DiscordReadOptions): AsyncGenerator<ConversationMessage[]> {
  yield* readDiscordMessages(channel, o);
  if (!('threads' in channel) || channel.isThread()) return;
  const listed = await channel.threads.fetchActive().catch(() => undefined);
  const threads = listed?.threads ?? channel.threads.cache;
  for (const thread of threads.values()) {
    if (thread.parentId !== channel.id) continue;
    yield* readDiscordMessages(thread, o, thread.id);
  }
}
