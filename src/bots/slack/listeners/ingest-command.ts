import type { App, RespondFn, webApi } from '@slack/bolt';
import type { IngestResult } from '../../../ingest/indexer.js';
import { ingestSharedFiles, summarizeIngest, type SharedFile } from '../../common/channel-ingest.js';
import { failureMessage } from '../../common/failure-message.js';
import { ThrottledEdit } from '../../common/throttled-edit.js';
import { textMessage } from '../answer-blocks.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { PostedMessage } from '../posted-message.js';
import { slackScope } from '../scope.js';
import { fileReference, listChannelFiles, sharedSlackFile, type SlackFile } from '../slack-files.js';
import type { SlackContext } from '../slack-context.js';
import { channelLabel } from './ask-command.js';

export const INGEST_USAGE = [
  '*Usage:* `/ingest` indexes the files shared in this channel (only new or changed ones on later runs).',
  '`/ingest <file link or name>` indexes one file. `/ingest auto on|off` indexes files as they are shared.',
].join('\n');

/** Scopes with an ingest running: a second /ingest in the same channel waits for none, it is refused. */
const running = new Set<string>();

async function findFiles(client: webApi.WebClient, channel: string, reference: string): Promise<SlackFile[]> {
  const { id, name } = fileReference(reference);
  if (id) {
    const info = (await client.files.info({ file: id })) as { file?: SlackFile };
    return info.file ? [info.file] : [];
  }
  const wanted = name!.toLowerCase();
  return (await listChannelFiles(client, channel)).filter((f) => (f.name ?? f.title ?? '').toLowerCase() === wanted).slice(0, 1);
}

/** Lists, downloads and indexes, editing one progress message as it goes and ending with a summary. */
async function runIngest(context: SlackContext, progress: PostedMessage, scope: string, load: () => Promise<SlackFile[]>, what: string): Promise<IngestResult[] | undefined> {
  const edits = new ThrottledEdit((line) => progress.show(textMessage(line)), context.core.settings.STREAM_EDIT_INTERVAL_MS);
  try {
    const files = (await load()).map((f) => sharedSlackFile(f, context.core.settings)).filter((f): f is SharedFile => f !== undefined);
    if (files.length === 0) {
      await progress.show(textMessage(what ? `No file matching “${escapeMrkdwn(what)}” is shared in this channel.` : summarizeIngest([])));
      return [];
    }
    await progress.show(textMessage(`Found ${files.length} file${files.length === 1 ? '' : 's'}; indexing…`));
    const indexer = await context.core.indexer();
    const results = await ingestSharedFiles(indexer, scope, files, (line) => edits.push(escapeMrkdwn(line)));
    await edits.close();
    await progress.show(textMessage(escapeMrkdwn(summarizeIngest(results))));
    return results;
  } catch (error) {
    await edits.close();
    await progress.show(textMessage(`${failureMessage(error, 'index the files')} Files indexed before this are kept.`));
    return undefined;
  }
}

/**
 * `/ingest`, `/ingest <file>`, `/ingest auto on|off`, and the `file_shared` event that auto-ingest
 * listens to.
 */
export function registerIngest(app: App, context: SlackContext): void {
  app.command('/ingest', async ({ command, ack, respond, client }) => {
    await ack();
    const scope = slackScope(command.team_id, command.channel_id);
    const text = (command.text ?? '').trim();
    const auto = /^auto(?:\s+(on|off))?$/iu.exec(text);
    if (auto) return void (await respondAuto(context, respond, scope, auto[1]?.toLowerCase()));
    if (/^(help|-h|--help)$/iu.test(text)) return void (await respond({ response_type: 'ephemeral', text: INGEST_USAGE }));
    if (running.has(scope)) return void (await respond({ response_type: 'ephemeral', text: 'An /ingest is already running in this channel; its progress message will show the summary.' }));

    running.add(scope);
    try {
      const progress = new PostedMessage({ client, channel: command.channel_id, respond });
      await progress.show(textMessage(`Looking for files shared in ${channelLabel(command)}…`));
      await runIngest(context, progress, scope, () => (text ? findFiles(client, command.channel_id, text) : listChannelFiles(client, command.channel_id)), text);
    } finally {
      running.delete(scope);
    }
  });

  app.event('file_shared', async ({ event, body, client }) => {
    const scope = slackScope(body.team_id, event.channel_id);
    if (!context.core.conversations.channel(scope).autoIngest) return;
    const progress = new PostedMessage({ client, channel: event.channel_id });
    const info = async () => [((await client.files.info({ file: event.file_id })) as { file?: SlackFile }).file].filter((f): f is SlackFile => f !== undefined);
    await runIngest(context, progress, scope, info, '');
  });
}

async function respondAuto(context: SlackContext, respond: RespondFn, scope: string, value: string | undefined): Promise<void> {
  const store = context.core.conversations;
  const settings = value ? store.updateChannel(scope, { autoIngest: value === 'on' }) : store.channel(scope);
  const state = settings.autoIngest
    ? 'Auto-ingest is *on*: files shared in this channel are indexed as they arrive.'
    : 'Auto-ingest is *off*: run `/ingest` to index new files.';
  await respond({ response_type: value ? 'in_channel' : 'ephemeral', text: state });
}
