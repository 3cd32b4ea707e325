import type { webApi } from '@slack/bolt';
import { ingestConversation, type ConversationIngestResult } from '../../app/conversation-ingest.js';
import type { ConversationChannel } from '../../store/conversation-message.js';
import { historyStart, readSlackHistory } from './channel-history.js';
import { SlackNames, slackPermalink } from './conversation-messages.js';
import { slackScope } from './scope.js';
import type { SlackContext } from './slack-context.js';

/** "#general", or "DM" / "group DM" for direct conversations: how citations name the channel. */
export async function slackChannel(client: webApi.WebClient, teamId: string, channelId: string): Promise<ConversationChannel> {
  const info = (await client.conversations.info({ channel: channelId })) as {
    channel?: { name?: string; is_im?: boolean; is_mpim?: boolean };
  };
  const c = info.channel;
  const name = c?.is_im ? 'DM' : c?.is_mpim ? 'group DM' : `#${c?.name ?? channelId}`;
  return { scope: slackScope(teamId, channelId), name };
}

/** The workspace's URL (https://<team>.slack.com/) for permalinks: auth.test's, or learnt from chat.getPermalink once. */
export async function workspaceUrl(context: SlackContext, client: webApi.WebClient, channel: string, ts?: string): Promise<string> {
  if (context.workspaceUrl) return context.workspaceUrl;
  const auth = (await client.auth.test()) as { url?: string };
  if (auth.url) return (context.workspaceUrl = auth.url);
  if (!ts) throw new Error('Slack did not say where the workspace is (auth.test has no url)');
  const link = (await client.chat.getPermalink({ channel, message_ts: ts })) as { permalink?: string };
  const base = link.permalink?.replace(/\/archives\/.*$/u, '/');
  if (!base) throw new Error('chat.getPermalink returned no permalink');
  return (context.workspaceUrl = base);
}

/**
 * Reads a Slack channel's conversation into its scope: on the first run SLACK_HISTORY_DAYS of it,
 * later only what is newer than its cursor. Run inside the scope's ingest queue.
 */
export async function ingestSlackConversation(
  context: SlackContext,
  client: webApi.WebClient,
  teamId: string,
  channelId: string,
  onProgress?: (messages: number) => void,
): Promise<ConversationIngestResult> {
  const channel = await slackChannel(client, teamId, channelId);
  const url = await workspaceUrl(context, client, channelId);
  const names = context.names ?? SlackNames.fromClient(client);
  const days = context.core.settings.SLACK_HISTORY_DAYS;
  let firstRead = false;
  const result = await ingestConversation(
    context.core,
    channel,
    (cursor) => {
      firstRead = cursor === undefined;
      return readSlackHistory(client, {
        channel: channelId,
        botUserId: context.botUserId,
        workspaceUrl: url,
        names,
        oldest: cursor ?? historyStart(days),
      });
    },
    onProgress,
  );
  return firstRead ? { ...result, historyDays: days } : result;
}

export { slackPermalink };
