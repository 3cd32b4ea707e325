import type { App, webApi } from '@slack/bolt';
import { failureMessage } from '../../common/failure-message.js';
import { forgetConversation } from '../../../app/conversation-sync.js';
import { forgetDocument } from '../../../app/forget.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackScope } from '../scope.js';
import { fileReference } from '../slack-files.js';
import type { SlackContext } from '../slack-context.js';

async function isWorkspaceAdmin(client: webApi.WebClient, userId: string): Promise<boolean> {
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
    if (!target)
      return void (await reply(
        '*Usage:* `/forget <file name or link>` removes an indexed file from this channel (`/forget messages`: its conversation). See `/sources`.',
      ));
    const scope = slackScope(command.team_id, command.channel_id);
    if (/^messages$/iu.test(target)) {
      try {
        const removed = await forgetConversation(context.core, scope);
        return void (await respond({
          response_type: 'in_channel',
          text: `Removed this channel’s messages from citebot’s index (${removed.documents} threads and days, ${removed.chunks} passages); new messages are no longer followed. \`/ingest\` indexes them again.`,
        }));
      } catch (error) {
        return void (await reply(failureMessage(error, 'remove the messages')));
      }
    }
    const { id, name } = fileReference(target);
    try {
      const outcome = await forgetDocument(context.core, {
        scope,
        target: id ?? name!,
        requester: { userId: command.user_id, mayModerate: () => isWorkspaceAdmin(client, command.user_id) },
      });
      if (outcome.kind === 'not_found')
        return void (await reply(`No indexed file “${escapeMrkdwn(target)}” in this channel. See \`/sources\`.`));
      if (outcome.kind === 'ambiguous')
        return void (await reply(
          [
            `${outcome.candidates.length} indexed files are called “${escapeMrkdwn(target)}” here; run \`/forget\` with one of their links or ids:`,
            ...outcome.candidates.map((d) => `• \`${d.docId}\` <${d.url}|${escapeMrkdwn(d.source)}>`),
          ].join('\n'),
        ));
      if (outcome.kind === 'refused')
        return void (await reply(
          `Only the person who shared “${escapeMrkdwn(outcome.source)}” or a workspace admin can remove it from citebot.`,
        ));
      await respond({
        response_type: 'in_channel',
        text: `Removed “${escapeMrkdwn(outcome.source)}” from citebot’s index for this channel (${outcome.chunks} passages). The file itself is untouched in Slack.`,
      });
    } catch (error) {
      await reply(failureMessage(error, 'remove the file'));
    }
  });
}
