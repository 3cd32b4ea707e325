import { channelLanguage } from '../../../app/channels.js';
import type { App, webApi } from '@slack/bolt';
import type { Turn } from '../../../chains/types.js';
import { log } from '../../../log.js';
import { oneLine } from '../../../errors.js';
import { answerQuestion, type AnswerSurface } from '../../common/answer-flow.js';
import { SlackStreamSurface } from '../answer-stream.js';
import { assistantStatus } from '../assistant-status.js';
import { indexQuestionFiles, type EventFile } from '../question-files.js';
import { SlackAnswerSurface } from '../answer-surface.js';
import { textMessage } from '../answer-render.js';
import { PostedMessage } from '../posted-message.js';
import { slackScope } from '../scope.js';
import type { SlackContext } from '../slack-context.js';
import { placeholderText, withoutMention } from '../../common/chat-text.js';
import { threadHistory } from '../thread-history.js';
import { detectLanguage, messages } from '../../../messages/index.js';

interface IncomingQuestion {
  teamId: string;
  channel: string;
  /** The message's ts, and the thread it belongs to (its own ts when it starts one). */
  ts: string;
  threadTs: string;
  inThread: boolean;
  user: string;
  text: string;
  isDm: boolean;
  /** Files attached to the question (screenshots, documents): indexed before it is answered. */
  files: EventFile[];
}

/** The fields of a Slack message event (app_mention or message) that make a question. */
interface QuestionMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  text?: string;
  channel_type?: string;
  files?: EventFile[];
}

function incomingQuestion(teamId: string, m: QuestionMessage, botUserId: string): IncomingQuestion {
  return {
    teamId,
    channel: m.channel,
    ts: m.ts,
    threadTs: m.thread_ts ?? m.ts,
    inThread: Boolean(m.thread_ts),
    user: m.user,
    text: withoutMention(m.text ?? '', botUserId),
    isDm: m.channel_type === 'im',
    files: m.files ?? [],
  };
}

/**
 * Where the answer shows: streamed natively (with the assistant status until its first words) where
 * the workspace allows it, else one message edited as it grows (with a placeholder until then).
 */
function answerSurface(context: SlackContext, client: webApi.WebClient, q: IncomingQuestion, message: PostedMessage): AnswerSurface {
  const edited = new SlackAnswerSurface(message);
  if (!context.features.allows('streaming', q.teamId)) return edited;
  const language = detectLanguage(q.text);
  const where = messages(language).placeholders.thisConversation;
  const status = assistantStatus(client, context.features, { teamId: q.teamId, channel: q.channel, threadTs: q.threadTs, language, where });
  const target = { teamId: q.teamId, channel: q.channel, threadTs: q.threadTs, userId: q.user, isDm: q.isDm };
  return new SlackStreamSurface(context.outbox, context.features, target, edited, status);
}

/** Answers in a thread under the question, with the thread so far as history. */
async function answerInThread(context: SlackContext, client: webApi.WebClient, q: IncomingQuestion): Promise<void> {
  const message = new PostedMessage({ outbox: context.outbox, channel: q.channel, threadTs: q.threadTs });
  const scope = slackScope(q.teamId, q.channel);
  if (q.files.length) {
    const progress = new PostedMessage({ outbox: context.outbox, channel: q.channel, threadTs: q.threadTs });
    await indexQuestionFiles(context, client, scope, q.files, progress);
    if (!q.text) return;
  }
  if (!q.text) return void (await message.show(textMessage(messages(await channelLanguage(context.core, scope)).help.slackMention)));
  const language = detectLanguage(q.text);
  await context.threads.add(q.channel, q.threadTs);
  // 👀 says "working on it" before the first word arrives; not being able to react is harmless.
  client.reactions
    .add({ channel: q.channel, timestamp: q.ts, name: 'eyes' })
    .catch((error: unknown) => log.debug(`reaction not added: ${oneLine(error)}`));
  const surface = answerSurface(context, client, q, message);
  // The placeholder is posted while retrieval runs: edits wait for it, the chain does not.
  void surface
    .showPlaceholder(placeholderText(messages(language).placeholders.thisConversation, language))
    .catch((error: unknown) => log.warn(`slack: placeholder not posted: ${oneLine(error)}`));
  let history: Turn[];
  try {
    history = q.inThread ? await threadHistory(client, q.channel, q.threadTs, q.ts, context.botUserId) : [];
  } catch (error) {
    // Without history the follow-up is answered as a standalone question: better than no answer.
    log.warn(`thread history unavailable, answering without it: ${oneLine(error)}`);
    history = [];
  }
  await answerQuestion(context.core, { question: q.text, scope, askedBy: q.user, history }, surface);
}

/** Whether a thread is one citebot answered in: remembered, or (after a restart) seen in the thread. */
async function isCitebotThread(context: SlackContext, client: webApi.WebClient, channel: string, threadTs: string): Promise<boolean> {
  const known = await context.threads.knows(channel, threadTs);
  if (known !== undefined) return known;
  const replies = (await client.conversations.replies({ channel, ts: threadTs, limit: 50 })) as { messages?: { user?: string }[] };
  const ours = (replies.messages ?? []).some((m) => m.user === context.botUserId);
  if (ours) await context.threads.add(channel, threadTs);
  else context.threads.addNotOurs(channel, threadTs);
  return ours;
}

/**
 * `@citebot <question>` in a channel, any message in a DM, and replies in threads citebot answered
 * (SLACK_THREAD_FOLLOWUPS=always; with `mention`, only replies that mention it).
 */
export function registerConversationListeners(app: App, context: SlackContext): void {
  app.event('app_mention', async ({ event, body, client }) => {
    if (event.bot_id || !event.user) return;
    const question = incomingQuestion(body.team_id ?? event.team ?? '', { ...event, user: event.user }, context.botUserId);
    await answerInThread(context, client, question);
  });

  app.message(async ({ message, body, client }) => {
    // Edits, joins, bot posts (citebot's own included) carry a subtype or a bot_id: not questions.
    // A message with files (file_share) is one: its files are read with it.
    if ((message.subtype !== undefined && message.subtype !== 'file_share') || ('bot_id' in message && message.bot_id)) return;
    const m = message as {
      user?: string;
      text?: string;
      ts: string;
      thread_ts?: string;
      channel: string;
      channel_type?: string;
      team?: string;
      files?: EventFile[];
    };
    if (!m.user || m.user === context.botUserId) return;
    const text = m.text ?? '';
    const mentioned = text.includes(`<@${context.botUserId}>`);
    const isDm = m.channel_type === 'im';
    // In channels a mention arrives twice (app_mention and message): app_mention answers it.
    if (!isDm && mentioned) return;
    if (!isDm) {
      if (!m.thread_ts || context.core.settings.SLACK_THREAD_FOLLOWUPS !== 'always') return;
      if (!(await isCitebotThread(context, client, m.channel, m.thread_ts))) return;
    }
    const teamId = (body as { team_id?: string }).team_id ?? m.team ?? '';
    await answerInThread(context, client, incomingQuestion(teamId, { ...m, user: m.user }, context.botUserId));
  });
}
