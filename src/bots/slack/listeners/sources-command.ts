import type { App } from '@slack/bolt';
import type { DocumentEntry } from '../../../store/ledger.js';
import { readableSources } from '../../../app/sources.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackScope } from '../scope.js';
import type { SlackContext } from '../slack-context.js';

const MAX_LISTED = 40;

function documentLine(d: DocumentEntry): string {
  const name = escapeMrkdwn(d.source).replace(/\|/gu, '/');
  const link = /^https?:\/\//u.test(d.url) ? `<${d.url}|${name}>` : name;
  const state = d.status === 'indexed' ? `${d.chunkCount} passages` : `${d.status}${d.error ? `: ${escapeMrkdwn(d.error)}` : ''}`;
  return `• ${link} · ${state}`;
}

/** `/sources`: what questions in this channel can read, including scopes the operator shares with it. */
export function registerSourcesCommand(app: App, context: SlackContext): void {
  app.command('/sources', async ({ command, ack }) => {
    const scope = slackScope(command.team_id, command.channel_id);
    const lines: string[] = [];
    const groups = readableSources(context.core, scope);
    for (const { scope: s, own, documents: docs, conversationDocuments } of groups) {
      lines.push(
        own ? `*Files indexed in this channel* (${docs.length})` : `*Shared with this channel from ${escapeMrkdwn(s)}* (${docs.length})`,
      );
      if (conversationDocuments)
        lines.push(`• Conversation: ${conversationDocuments} threads and days of messages (\`/forget messages\` removes them)`);
      lines.push(...docs.slice(0, MAX_LISTED).map(documentLine));
      if (docs.length > MAX_LISTED) lines.push(`• … and ${docs.length - MAX_LISTED} more`);
    }
    if (groups[0]!.documents.length === 0)
      lines.push('Nothing is indexed here yet: run `/ingest` to index the files shared in this channel.');
    // The reply is the ack itself: listing is a local SQLite read, well inside 3 seconds.
    await ack({ response_type: 'ephemeral', text: lines.join('\n').slice(0, 3900) });
  });
}
