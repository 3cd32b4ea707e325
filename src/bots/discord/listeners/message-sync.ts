import { followedChannelName } from '../../../app/channels.js';
import { Events, type Client, type Message, type PartialMessage } from 'discord.js';
import { oneLine } from '../../../errors.js';
import { log } from '../../../log.js';
import { discordConversationMessage, isSpokenDiscordMessage } from '../channel-history.js';
import type { DiscordContext } from '../discord-context.js';
import { discordScope } from '../scope.js';

/** The channel whose scope a message belongs to (a thread's parent), and the thread it is in. */
function placeOf(message: Message | PartialMessage): { channelId: string; threadId?: string } {
  const channel = message.channel;
  if (channel?.isThread() && channel.parentId) return { channelId: channel.parentId, threadId: channel.id };
  return { channelId: message.channelId };
}

/**
 * Keeps indexed conversations in sync: MESSAGE_CREATE, MESSAGE_UPDATE and MESSAGE_DELETE of channels
 * that had their first /ingest go to the follower, which applies them in batches. An edit of a
 * message no longer cached arrives partial: it is fetched.
 */
export function registerMessageSync(client: Client<true>, context: DiscordContext): void {
  const follower = context.follower;
  if (!follower) return;
  const push = async (raw: Message | PartialMessage, deleted: boolean) => {
    const { channelId, threadId } = placeOf(raw);
    const scope = discordScope(raw.guildId, channelId);
    if (!(await follower.follows(scope))) return;
    const name = (await followedChannelName(context.core, scope)) ?? `#${channelId}`;
    if (deleted) return void (await follower.push({ scope, name }, { kind: 'delete', id: raw.id }));
    const message = raw.partial ? await raw.fetch() : raw;
    if (!isSpokenDiscordMessage(message, context.botId))
      return void (await follower.push({ scope, name }, { kind: 'delete', id: message.id }));
    await follower.push({ scope, name }, { kind: 'upsert', message: discordConversationMessage(message, threadId) });
  };
  const guarded = (raw: Message | PartialMessage, deleted: boolean) =>
    push(raw, deleted).catch((error: unknown) => log.warn(`discord: message event not applied: ${oneLine(error)}`));
  client.on(Events.MessageCreate, (m) => void guarded(m, false));
  client.on(Events.MessageUpdate, (_old, m) => void guarded(m, false));
  client.on(Events.MessageDelete, (m) => void guarded(m, true));
}
