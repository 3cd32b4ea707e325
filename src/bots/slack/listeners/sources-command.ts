import { channelLanguage } from '../../../app/channels.js';
import type { App } from '@slack/bolt';
import type { DocumentEntry } from '../../../store/ledger.js';
import { readableSources } from '../../../app/sources.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackScope } from '../scope.js';
import type { SlackContext } from '../slack-context.js';
import { messages, type Messages } from '../../../messages/index.js';

const MAX_LISTED = 40;

function documentLine(d: DocumentEntry, m: Messages): string {
  const name = escapeMrkdwn(d.source).replace(/\|/gu, '/');
  const link = /^https?:\/\//u.test(d.url) ? `<${d.url}|${name}>` : name;
  const state = d.status === 'indexed' ? m.sources.passages(d.chunkCount) : `${d.status}${d.error ? `: ${escapeMrkdwn(d.error)}` : ''}`;
  return `• ${link} · ${state}`;
}

/** `/sources`: what questions in this channel can read, including scopes the operator shares with it. */
export function registerSourcesCommand(app: App, context: SlackContext): void {
  app.command('/sources', async ({ command, ack }) => {
    const scope = slackScope(command.team_id, command.channel_id);
    const lines: string[] = [];
    const m = messages(await channelLanguage(context.core, scope));
    const groups = await readableSources(context.core, scope);
    for (const { scope: s, own, documents: docs, conversationDocuments } of groups) {
      lines.push(`*${own ? m.sources.ownHeading(docs.length) : m.sources.sharedHeading(escapeMrkdwn(s), docs.length)}*`);
      if (conversationDocuments) lines.push(`• ${m.sources.conversation(conversationDocuments, '/forget messages')}`);
      lines.push(...docs.slice(0, MAX_LISTED).map((d) => documentLine(d, m)));
      if (docs.length > MAX_LISTED) lines.push(`• ${m.sources.more(docs.length - MAX_LISTED)}`);
    }
    if (groups[0]!.documents.length === 0) lines.push(m.sources.slackNothingIndexed);
    // The reply is the ack itself: listing is a local SQLite read, well inside 3 seconds.
    await ack({ response_type: 'ephemeral', text: lines.join('\n').slice(0, 3900) });
  });
}
