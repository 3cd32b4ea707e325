import { channelLanguage, channelSettings, updateChannelSettings } from '../../app/channels.js';
import type { Client, Message, TextBasedChannel } from 'discord.js';
import type { SharedFile } from '../../app/shared-files.js';
import { summarizeIngest } from '../../app/shared-files.js';
import { queueIngest } from '../../app/ingest.js';
import { log } from '../../log.js';
import { ingestFilesWithProgress, ingestWithProgress, showQueued } from '../common/ingest-flow.js';
import { ingestDiscordConversation } from './conversation-run.js';
import { messageFiles, scanChannelHistory } from './channel-files.js';
import type { DiscordContext } from './discord-context.js';
import type { MessageTarget } from './posted-message.js';
import { ResumedReplyTarget, type InteractionReply } from './resumed-reply.js';
import { messages } from '../../messages/index.js';

/** The job kind of `/ingest`: a citebot process connected to Discord resumes one from its payload. */
export const DISCORD_INGEST_JOB = 'discord-ingest';

export interface ChannelIngestOptions {
  file?: string;
  full?: boolean;
  filesOnly?: boolean;
}

/** Enough to run an `/ingest` again after a crash: where, what, and the reply to finish. */
export interface DiscordIngestJob extends ChannelIngestOptions {
  scope: string;
  channelId: string;
  reply: InteractionReply;
}

/**
 * `/ingest` as its scope's job (after whatever ingest runs there): resumable, so a process that
 * dies midway leaves it to the next one connected to Discord, which finishes it in the same reply.
 */
export async function queueChannelIngest(
  context: DiscordContext,
  target: MessageTarget,
  channel: TextBasedChannel,
  job: DiscordIngestJob,
): Promise<void> {
  const { ahead, done } = await queueIngest(context.core, { scope: job.scope, kind: DISCORD_INGEST_JOB, payload: job }, () =>
    ingestChannel(context, target, channel, job.scope, job),
  );
  if (ahead > 0) await showQueued(context.core, target, job.scope);
  await done;
}

/** Lets this process resume `/ingest` jobs a stopped one left (registered once the client is ready). */
export function registerIngestJobs(client: Client<true>, context: DiscordContext): void {
  context.core.jobs.handle(DISCORD_INGEST_JOB, async (payload) => {
    const job = payload as DiscordIngestJob;
    log.info(`resuming an /ingest in ${job.channelId} that a stopped citebot process had started`);
    const channel = await client.channels.fetch(job.channelId);
    if (!channel?.isTextBased()) throw new Error(`channel ${job.channelId} cannot be read any more`);
    await ingestChannel(context, new ResumedReplyTarget(client, job.reply, channel), channel, job.scope, job);
  });
}

/**
 * `/ingest` in a channel, inside its scope's job: attachments from its history (since the last
 * complete scan unless `full`), or only those whose name matches `file`. Progress and summary edit
 * one message.
 */
export async function ingestChannel(
  context: DiscordContext,
  target: MessageTarget,
  channel: TextBasedChannel,
  scope: string,
  options: ChannelIngestOptions,
): Promise<void> {
  const { core } = context;
  const settings = core.settings;
  const channel$ = await channelSettings(core, scope);
  const since = options.full || options.file ? undefined : channel$.lastScan;
  let newest: string | undefined;
  let note = '';
  // No question here: the channel's language (that of its last question).
  const m = messages(channel$.language).ingest;
  const load = async (): Promise<SharedFile[]> => {
    await target.show(m.discordReadingHistory(Boolean(since)));
    const scan = await scanChannelHistory(channel, settings, { limit: settings.DISCORD_HISTORY_LIMIT, since });
    newest = scan.newest;
    if (scan.truncated) note = `\n${m.discordHistoryLimited(scan.scanned)}`;
    const wanted = options.file?.toLowerCase();
    return wanted ? scan.files.filter((f) => f.name.toLowerCase() === wanted || f.docId === wanted) : scan.files;
  };
  const nothingFound = options.file
    ? m.discordNoAttachmentNamed(options.file)
    : since
      ? m.discordNoNewAttachments((await core.index.documents([scope])).length)
      : undefined;
  const results = await ingestFilesWithProgress(
    core,
    { show: (text) => target.show(text + note), progress: (text) => target.progress(text + note) },
    scope,
    load,
    { nothingFound },
  );
  // Remember where this scan ended only when it completed: a failed run is read again next time.
  if (results && newest && !options.file) await updateChannelSettings(core, scope, { lastScan: newest });
  if (!results || options.file || options.filesOnly || !settings.INDEX_MESSAGES) return;
  // The conversation is the parent channel's: a thread's messages are read with it.
  const conversation = channel.isThread() && channel.parent?.isTextBased() ? channel.parent : channel;
  const filesLine = results.length === 0 && since ? nothingFound! : summarizeIngest(results);
  await target.show(`${filesLine}${note}\n${messages(await channelLanguage(core, scope)).ingest.readingMessages()}`);
  await target.show(`${filesLine}${note}\n${await ingestDiscordConversation(context, conversation, scope, { inLane: true })}`);
}

/** `@citebot ingest` on a message with attachments (or replying to one): just those files. */
export async function ingestMessage(context: DiscordContext, target: MessageTarget, message: Message, scope: string): Promise<void> {
  const referenced = message.reference?.messageId ? await message.fetchReference().catch(() => undefined) : undefined;
  const files = [...messageFiles(message, context.core.settings), ...(referenced ? messageFiles(referenced, context.core.settings) : [])];
  await ingestMessageFiles(context, target, files, scope, messages(await channelLanguage(context.core, scope)).ingest.discordAttachHelp);
}

/** Attachments of one message into the scope, as a share would be: the same limits, refusals and summary. */
export async function ingestMessageFiles(
  context: DiscordContext,
  target: MessageTarget,
  files: SharedFile[],
  scope: string,
  nothingFound: string,
): Promise<void> {
  await ingestWithProgress(
    context.core,
    { show: (text) => target.show(text), progress: (text) => target.progress(text) },
    { scope, kind: 'discord-files' },
    async () => files,
    { nothingFound },
  );
}
