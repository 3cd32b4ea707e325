import { channelLanguage } from '../../../app/channels.js';
import type { App, webApi } from '@slack/bolt';
import { failureMessage } from '../../common/failure-message.js';
import { forgetConversation } from '../../../app/conversation-sync.js';
import { forgetDocument } from '../../../app/forget.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackScope } from '../scope.js';
import { fileReference } from '../channel-files.js';
import type { SlackContext } from '../slack-context.js';
import { messages } from '../../../messages/index.js';

/** A workspace admin or owner (users.info). */
export async function isWorkspaceAdmin(client: webApi.WebClient, userId: string): Promise<boolean> {
  const info = (await client.users.info({ user: userId })) as {
    user?: { is_admin?: boolean; is_owner?: boolean; is_primary_owner?: boolean };
  };
  return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
}

/** `/forget <file>`: removes a file of this channel from every index — for its uploader or a workspace admin. */
export function registerForgetCommand(app: App, context: SlackContext): void {
  app.command('/forget', async ({ command, ack, respond, client }) => {
    await ack();
    const reply = (text: string) => respond({ response_type: 'ephemeral', text });
    const target = (command.text ?? '').trim();
    const scope = slackScope(command.team_id, command.channel_id);
    const language = await channelLanguage(context.core, scope);
    const m = messages(language).forget;
    if (!target) return void (await reply(m.slackMessagesUsage));
    if (/^messages$/iu.test(target)) {
      try {
        const removed = await forgetConversation(context.core, scope);
        return void (await respond({ response_type: 'in_channel', text: m.messagesRemoved(removed.documents, removed.chunks) }));
      } catch (error) {
        return void (await reply(failureMessage(error, 'forgetMessages', language)));
      }
    }
    const { id, name } = fileReference(target);
    try {
      const outcome = await forgetDocument(context.core, {
        scope,
        target: id ?? name!,
        requester: { userId: command.user_id, mayModerate: () => isWorkspaceAdmin(client, command.user_id) },
      });
      if (outcome.kind === 'not_found') return void (await reply(m.notFound(escapeMrkdwn(target))));
      if (outcome.kind === 'ambiguous')
        return void (await reply(
          [
            m.slackAmbiguous(outcome.candidates.length, escapeMrkdwn(target)),
            ...outcome.candidates.map((d) => `• \`${d.docId}\` <${d.url}|${escapeMrkdwn(d.source)}>`),
          ].join('\n'),
        ));
      if (outcome.kind === 'refused') return void (await reply(m.slackRefused(escapeMrkdwn(outcome.source))));
      await respond({
        response_type: 'in_channel',
        text: m.slackRemoved(escapeMrkdwn(outcome.source), outcome.chunks),
      });
    } catch (error) {
      await reply(failureMessage(error, 'forget', language));
    }
  });
}
