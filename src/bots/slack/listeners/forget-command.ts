import type { App, webApi } from '@slack/bolt';
import { failureMessage } from '../../common/failure-message.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackScope } from '../scope.js';
import { fileReference } from '../slack-files.js';
import type { SlackContext } from '../slack-context.js';

async function isWorkspaceAdmin(client: webApi.WebClient, userId: string): Promise<boolean> {
  const info = (await client.users.info({ user: userId })) as { user?: { is_admin?: boolean; is_owner?: boolean; is_primary_owner?: boolean } };
  return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
}

/** `/forget <file>`: removes a file of this channel from every index — for its uploader or a workspace admin. */
export function registerForgetCommand(app: App, context: SlackContext): void {
  app.command('/forget', async ({ command, ack, respond, client }) => {
    await ack();
    const reply = (text: string) => respond({ response_type: 'ephemeral', text });
    const target = (command.text ?? '').trim();
    if (!target) return void (await reply('*Usage:* `/forget <file name or link>` removes an indexed file from this channel. See `/sources`.'));
    const scope = slackScope(command.team_id, command.channel_id);
    const { id, name } = fileReference(target);
    const matches = context.core.ledger.find(id ?? name!, scope);
    if (matches.length === 0) return void (await reply(`No indexed file “${escapeMrkdwn(target)}” in this channel. See \`/sources\`.`));
    try {
      const allowed = matches.every((d) => d.uploadedBy === command.user_id) || (await isWorkspaceAdmin(client, command.user_id));
      if (!allowed) {
        return void (await reply(`Only the person who shared “${escapeMrkdwn(matches[0]!.source)}” or a workspace admin can remove it from citebot.`));
      }
      const index = await context.core.index();
      let chunks = 0;
      for (const doc of matches) chunks += await index.forget(doc.scope, doc.docId);
      await respond({ response_type: 'in_channel', text: `Removed “${escapeMrkdwn(matches[0]!.source)}” from citebot’s index for this channel (${chunks} passages). The file itself is untouched in Slack.` });
    } catch (error) {
      await reply(failureMessage(error, 'remove the file'));
    }
  });
}
