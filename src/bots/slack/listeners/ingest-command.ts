import { channelLanguage, channelSettings, updateChannelSettings } from '../../../app/channels.js';
import type { App, RespondFn, webApi } from '@slack/bolt';
import type { SharedFile } from '../../../app/shared-files.js';
import { summarizeIngest } from '../../../app/shared-files.js';
import { queueIngest } from '../../../app/ingest.js';
import { ingestFilesWithProgress, ingestWithProgress, showQueued, type ProgressView } from '../../common/ingest-flow.js';
import { ingestConversationWithProgress } from '../conversation-progress.js';
import { textMessage } from '../answer-render.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { PostedMessage } from '../posted-message.js';
import { slackScope } from '../scope.js';
import { fileReference, listChannelFiles, sharedSlackFile, type SlackFile } from '../channel-files.js';
import type { SlackContext } from '../slack-context.js';
import { channelLabel } from './ask-command.js';
import { log } from '../../../log.js';
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

/** Progress lines as mrkdwn in one message. */
function progressView(progress: PostedMessage): ProgressView {
  return {
    show: (text) => progress.show(textMessage(escapeMrkdwn(text))),
    progress: (text) => progress.progress(textMessage(escapeMrkdwn(text))),
  };
}

/** The files as SharedFiles (what Slack lets citebot download). */
function sharedFiles(context: SlackContext, load: () => Promise<SlackFile[]>): () => Promise<SharedFile[]> {
  return async () => (await load()).map((f) => sharedSlackFile(f, context.core.settings)).filter((f): f is SharedFile => f !== undefined);
}

/** The job kind of `/ingest`: any citebot process with the Slack adapter resumes one from its payload. */
export const SLACK_INGEST_JOB = 'slack-ingest';

/** Enough to run an `/ingest` again after a crash: where, what, and the progress message to finish. */
export interface SlackIngestJob {
  teamId: string;
  channelId: string;
  /** A file id, link or name; empty for all the channel's files. */
  reference: string;
  /** `/ingest files`: not the conversation. */
  filesOnly: boolean;
  /** The progress message in the channel (absent when it went through the response_url). */
  progressTs?: string;
}

/**
 * One `/ingest`: the channel's files, then (unless a file was named or `files` asked) its conversation,
 * in one progress message that ends with the summary. Runs as its scope's job, so it resumes after a
 * crash and editing the same message posts the summary once.
 */
async function runSlackIngest(
  context: SlackContext,
  client: webApi.WebClient,
  progress: PostedMessage,
  job: SlackIngestJob,
): Promise<void> {
  const { teamId, channelId, reference, filesOnly } = job;
  const scope = slackScope(teamId, channelId);
  const language = await channelLanguage(context.core, scope);
  const load = () => (reference ? findFiles(client, channelId, reference) : listChannelFiles(client, channelId));
  const results = await ingestFilesWithProgress(context.core, progressView(progress), scope, sharedFiles(context, load), {
    nothingFound: reference ? messages(language).ingest.noFileMatching(reference) : undefined,
  });
  if (results && !reference && !filesOnly && context.core.settings.INDEX_MESSAGES)
    await ingestConversationWithProgress(context, client, progress, teamId, channelId, summarizeIngest(results, language));
}

/**
 * `/ingest`, `/ingest <file>`, `/ingest auto on|off`, and the `file_shared` event that auto-ingest
 * listens to.
 */
export function registerIngest(app: App, context: SlackContext): void {
  context.core.jobs.handle(SLACK_INGEST_JOB, async (payload) => {
    const job = payload as SlackIngestJob;
    log.info(`resuming an /ingest in ${job.channelId} that a stopped citebot process had started`);
    const progress = new PostedMessage({ outbox: context.outbox, channel: job.channelId, ts: job.progressTs });
    await runSlackIngest(context, app.client, progress, job);
  });

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
    const job: SlackIngestJob = {
      teamId: command.team_id,
      channelId: command.channel_id,
      reference: filesOnly ? '' : text,
      filesOnly,
      ...(progress.ts && { progressTs: progress.ts }),
    };
    const { ahead, done } = await queueIngest(context.core, { scope, kind: SLACK_INGEST_JOB, payload: job }, () =>
      runSlackIngest(context, client, progress, job),
    );
    if (ahead > 0) await showQueued(context.core, progressView(progress), scope);
    await done;
  });

  app.event('file_shared', async ({ event, body, client }) => {
    const scope = slackScope(body.team_id, event.channel_id);
    if (!(await channelSettings(context.core, scope)).autoIngest) return;
    const progress = new PostedMessage({ outbox: context.outbox, channel: event.channel_id });
    const info = async () =>
      [((await client.files.info({ file: event.file_id })) as { file?: SlackFile }).file].filter((f): f is SlackFile => f !== undefined);
    await ingestWithProgress(context.core, progressView(progress), { scope, kind: 'slack-files' }, sharedFiles(context, info));
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
