import { followedScopes } from '../../app/channels.js';
import type { webApi } from '@slack/bolt';
import { queueIngest } from '../../app/ingest.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { ingestSlackConversation } from './conversation-ingest.js';
import type { SlackContext } from './slack-context.js';

/**
 * After a (re)start: each followed channel of this workspace is read from its cursor, so messages
 * posted while citebot was away are indexed. Edits and deletions made meanwhile are not in the
 * history's new pages; `/forget messages` then `/ingest` rebuilds a channel completely.
 */
export async function catchUpConversations(context: SlackContext, client: webApi.WebClient, teamId: string): Promise<void> {
  const { core } = context;
  if (!core.settings.INDEX_MESSAGES || !teamId) return;
  for (const scope of await followedScopes(core, `slack:${teamId}:`)) {
    const channelId = scope.split(':')[2]!;
    try {
      const { done } = await queueIngest(core, { scope, kind: 'slack-catch-up' }, () =>
        ingestSlackConversation(context, client, teamId, channelId),
      );
      const result = await done;
      if (result.messages) log.info(`slack: caught up ${result.messages} message(s) in ${channelId}`);
    } catch (error) {
      log.warn(`slack: catch-up of ${channelId} failed: ${oneLine(error)}`);
    }
  }
}
