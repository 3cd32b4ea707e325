import type { App, MessageShortcut } from '@slack/bolt';
import { channelLanguage } from '../../../app/channels.js';
import { messages } from '../../../messages/index.js';
import { PostedMessage } from '../posted-message.js';
import { indexQuestionFiles, type EventFile } from '../question-files.js';
import { slackScope } from '../scope.js';
import type { SlackContext } from '../slack-context.js';

export const INDEX_SHORTCUT = 'citebot_index_files';

/**
 * The message shortcut "Index this file": the message's files are indexed in the channel's scope as
 * a share would be (same limits and refusals), progress and summary in the message's thread.
 */
export function registerIndexShortcut(app: App, context: SlackContext): void {
  app.shortcut<MessageShortcut>({ type: 'message_action', callback_id: INDEX_SHORTCUT }, async ({ shortcut, ack, respond, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? shortcut.user.team_id ?? '';
    const scope = slackScope(teamId, shortcut.channel.id);
    const files = (shortcut.message.files ?? []) as EventFile[];
    if (!files.length) {
      const text = messages(await channelLanguage(context.core, scope)).shortcuts.noFiles;
      return void (await respond({ response_type: 'ephemeral', text }));
    }
    const threadTs = (shortcut.message.thread_ts as string | undefined) ?? shortcut.message.ts;
    const progress = new PostedMessage({ outbox: context.outbox, channel: shortcut.channel.id, threadTs, respond });
    await indexQuestionFiles(context, client, scope, files, progress);
  });
}
