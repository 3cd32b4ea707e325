import { followedChannelName } from '../../../app/channels.js';
import type { App, webApi } from '@slack/bolt';
import type { MessageEvent } from '../../../app/conversation-follower.js';
import { oneLine } from '../../../errors.js';
import { log } from '../../../log.js';
import { slackChannel, workspaceUrl } from '../conversation-ingest.js';
import { conversationMessage, isSpokenMessage, SlackNames, type SlackRawMessage } from '../conversation-messages.js';
import { slackScope } from '../scope.js';
import type { SlackContext } from '../slack-context.js';

interface SlackMessageEvent extends SlackRawMessage {
  channel: string;
  message?: SlackRawMessage;
  previous_message?: SlackRawMessage;
  deleted_ts?: string;
}

/** The core's view of one Slack message event: a message new or edited, or one deleted (a thread's root deleted leaves a tombstone). */
async function toEvent(context: SlackContext, client: webApi.WebClient, e: SlackMessageEvent): Promise<MessageEvent | undefined> {
  if (e.subtype === 'message_deleted') return e.deleted_ts ? { kind: 'delete', id: e.deleted_ts } : undefined;
  const m = e.subtype === 'message_changed' ? e.message : e;
  if (!m?.ts) return undefined;
  if (!isSpokenMessage(m, context.botUserId)) return e.subtype === 'message_changed' ? { kind: 'delete', id: m.ts } : undefined;
  const names = (context.names ??= SlackNames.fromClient(client));
  const url = await workspaceUrl(context, client, e.channel, m.ts);
  return { kind: 'upsert', message: await conversationMessage(m, e.channel, names, url) };
}

/**
 * Keeps indexed conversations in sync: Slack `message` events (new, message_changed,
 * message_deleted) of channels that had their first /ingest go to the follower, which applies them
 * in batches. Events of other channels cost nothing (no Web API call).
 */
export function registerMessageSync(app: App, context: SlackContext): void {
  app.event('message', async ({ event, body, client }) => {
    const follower = context.follower;
    const e = event as unknown as SlackMessageEvent;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    const scope = slackScope(teamId, e.channel);
    if (!follower || !(await follower.follows(scope))) return;
    try {
      const change = await toEvent(context, client, e);
      if (!change) return;
      const name = (await followedChannelName(context.core, scope)) ?? (await slackChannel(client, teamId, e.channel)).name;
      await follower.push({ scope, name }, change);
    } catch (error) {
      log.warn(`slack: message event in ${e.channel} not applied: ${oneLine(error)}`);
    }
  });
}
