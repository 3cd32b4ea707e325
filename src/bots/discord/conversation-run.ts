import { channelLanguage, followedScopes } from '../../app/channels.js';
import type { TextBasedChannel } from 'discord.js';
import { ingestConversation, summarizeConversation } from '../../app/conversation-ingest.js';
import { queueIngest } from '../../app/ingest.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { messages } from '../../messages/index.js';
import { failureMessage } from '../common/failure-message.js';
import { readDiscordConversation } from './channel-history.js';
import type { DiscordContext } from './discord-context.js';

/** "#general", or "DM" for a direct conversation: how citations name the channel. */
export function discordChannelName(channel: TextBasedChannel): string {
  return 'name' in channel && channel.name ? `#${channel.name}` : 'DM';
}

/**
 * Reads a channel's conversation (and its threads) into its scope, from its cursor; one summary line.
 * Queued in the scope's lane, unless the caller already runs there (`inLane`: an `/ingest` job).
 */
export async function ingestDiscordConversation(
  context: DiscordContext,
  channel: TextBasedChannel,
  scope: string,
  options: { inLane?: boolean } = {},
): Promise<string> {
  const { core } = context;
  try {
    const work = () =>
      ingestConversation(core, { scope, name: discordChannelName(channel) }, (cursor) =>
        readDiscordConversation(channel, { botId: context.botId, after: cursor, limit: core.settings.DISCORD_HISTORY_LIMIT }),
      );
    const result = options.inLane ? await work() : await (await queueIngest(core, { scope, kind: 'discord-conversation' }, work)).done;
    return summarizeConversation(result, await channelLanguage(core, scope));
  } catch (error) {
    log.warn(`discord: conversation of ${scope} not indexed: ${oneLine(error)}`);
    const language = await channelLanguage(core, scope);
    return `${failureMessage(error, 'ingestMessages', language)} ${messages(language).failure.keptMessages}`;
  }
}

/** After a (re)start: each followed channel the client can see is read from its cursor. */
export async function catchUpDiscordConversations(
  context: DiscordContext,
  fetchChannel: (id: string) => Promise<TextBasedChannel | undefined>,
): Promise<void> {
  if (!context.core.settings.INDEX_MESSAGES) return;
  for (const scope of await followedScopes(context.core, 'discord:')) {
    const channel = await fetchChannel(scope.split(':')[2]!).catch(() => undefined);
    if (channel) await ingestDiscordConversation(context, channel, scope);
  }
}
