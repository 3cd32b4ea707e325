import { channelLanguage, channelSettings, updateChannelSettings } from '../../../app/channels.js';
import type { App, RespondFn, webApi } from '@slack/bolt';
import type { IngestResult } from '../../../ingest/indexer.js';
import type { SharedFile } from '../../../app/shared-files.js';
import { summarizeIngest } from '../../../app/shared-files.js';
import { ingestWithProgress } from '../../common/ingest-flow.js';
import { ingestConversationWithProgress } from '../conversation-progress.js';
import { textMessage } from '../answer-render.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { PostedMessage } from '../posted-message.js';
import { slackScope } from '../scope.js';
import { fileReference, listChannelFiles, sharedSlackFile, type SlackFile } from '../channel-files.js';
import type { SlackContext } from '../slack-context.js';
import { channelLabel } from './ask-command.js';
import { messages } from '../../../messages/index.js';

export const INGEST_USAGE = messages('en').ingest.slackUsage;

async function findFiles(client: webApi.WebClient, channel: string, reference: string): Promise<SlackFile[]> {
  const { id, name } = fileReference(reference);
  if (id) {
    const info = (await client.files.info({ file: id })) as { file?: SlackFile };
    return info.file ? [info.file] : [];
  }
  const wanted = name!.toLowerCase();
  return (await listChannelFiles(client, channel)).filter((f) => (f.name ?? f.title ?? '').toLowerCase() === wanted).slice(0, 1);
}

/** Slack's side of an ingest: the files as SharedFiles, progress lines as mrkdwn in one message. */
async function runIngest(
  context: SlackContext,
  progress: PostedMessage,
  scope: string,
  load: () => Promise<SlackFile[]>,
  what: string,
): Promise<IngestResult[] | undefined> {
  const settings = context.core.settings;
  const nothingFound = what ? messages(await channelLanguage(context.core, scope)).ingest.noFileMatching(what) : undefined;
  return ingestWithProgress(
    context.core,
    {
      show: (text) => progress.show(textMessage(escapeMrkdwn(text))),
      progress: (text) => progress.progress(textMessage(escapeMrkdwn(text))),
    },
    { scope, kind: 'slack-files' },
    async () => (await load()).map((f) => sharedSlackFile(f, settings)).filter((f): f is SharedFile => f !== undefined),
    { nothingFound },
  );
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
    // No question here: replies follow the channel's language (that of its last question).
    const language = await channelLanguage(context.core, scope);
    const m = messages(language);
    if (auto) return void (await respondAuto(context, respond, scope, auto[1]?.toLowerCase()));
    if (/^(help|-h|--help)$/iu.test(text)) return void (await respond({ response_type: 'ephemeral', text: m.ingest.slackUsage }));
    const progress = new PostedMessage({ outbox: context.outbox, channel: command.channel_id, respond });
    await progress.show(textMessage(m.ingest.lookingForFiles(channelLabel(command, language))));
    const filesOnly = /^files$/iu.test(text);
    const reference = filesOnly ? '' : text;
    const results = await runIngest(
      context,
      progress,
      scope,
      () => (reference ? findFiles(client, command.channel_id, reference) : listChannelFiles(client, command.channel_id)),
      reference,
    );
    if (results && !reference && !filesOnly && context.core.settings.INDEX_MESSAGES)
      await ingestConversationWithProgress(
        context,
        client,
        progress,
        command.team_id,
        command.channel_id,
        summarizeIngest(results, language),
      );
  });

  app.event('file_shared', async ({ event, body, client }) => {
    const scope = slackScope(body.team_id, event.channel_id);
    if (!(await channelSettings(context.core, scope)).autoIngest) return;
    const progress = new PostedMessage({ outbox: context.outbox, channel: event.channel_id });
    const info = async () =>
      [((await client.files.info({ file: event.file_id })) as { file?: SlackFile }).file].filter((f): f is SlackFile => f !== undefined);
    await runIngest(context, progress, scope, info, '');
  });
}

async function respondAuto(context: SlackContext, respond: RespondFn, scope: string, value: string | undefined): Promise<void> {
  const settings = value
    ? await updateChannelSettings(context.core, scope, { autoIngest: value === 'on' })
    : await channelSettings(context.core, scope);
  const text = messages(settings.language).ingest;
  const state = settings.autoIngest ? text.autoOn : text.autoOff;
  await respond({ response_type: value ? 'in_channel' : 'ephemeral', text: state });
}
