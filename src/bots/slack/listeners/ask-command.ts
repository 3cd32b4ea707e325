import { channelLanguage } from '../../../app/channels.js';
import type { App, SlashCommand } from '@slack/bolt';
import { answerQuestion } from '../../common/answer-flow.js';
import { placeholderText } from '../../common/chat-text.js';
import { SlackAnswerSurface } from '../answer-surface.js';
import { textMessage } from '../answer-render.js';
import { SlackStreamSurface } from '../answer-stream.js';
import { assistantStatus } from '../assistant-status.js';
import { log } from '../../../log.js';
import { oneLine } from '../../../errors.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { PostedMessage } from '../posted-message.js';
import { slackScope } from '../scope.js';
import type { SlackContext } from '../slack-context.js';
import { detectLanguage, messages, type Language } from '../../../messages/index.js';

export const ASK_USAGE = messages('en').help.slackAskUsage;

/** "-p what is…" → private; "what is…" → in the channel. */
export function parseAsk(text: string): { question: string; ephemeral: boolean } {
  const match = /^\s*(?:-p|--private)\s+/u.exec(text);
  return { question: (match ? text.slice(match[0].length) : text).trim(), ephemeral: Boolean(match) };
}

/** "#general", or a neutral phrase where Slack does not give a channel name (DMs, private groups). */
export function channelLabel(command: Pick<SlashCommand, 'channel_name'>, language: Language): string {
  const name = command.channel_name;
  return name && name !== 'directmessage' && name !== 'privategroup' && name !== 'mpdm'
    ? `#${name}`
    : messages(language).placeholders.thisConversation;
}

/** "*ana* asked: …" as a message in the channel, the root of the answer's thread; undefined where citebot may not post. */
async function postQuestion(context: SlackContext, command: SlashCommand, heading: string): Promise<string | undefined> {
  try {
    const posted = await context.outbox.post(command.channel_id, () => ({
      channel: command.channel_id,
      ...textMessage(heading),
      unfurl_links: false,
      unfurl_media: false,
    }));
    return posted.ts;
  } catch (error) {
    log.debug(`slack: /ask question not posted in the channel, answering through the response_url: ${oneLine(error)}`);
    return undefined;
  }
}

/**
 * `/ask <question>`: acknowledge at once with a placeholder for the asker (Slack gives 3 seconds, the
 * answer can take a minute), stream the answer into a channel message, end with cited sources and
 * feedback buttons. Where the workspace streams natively, the question is posted in the channel and
 * the answer streams in a thread under it.
 */
export function registerAskCommand(app: App, context: SlackContext): void {
  app.command('/ask', async ({ command, ack, respond, client }) => {
    const { question, ephemeral } = parseAsk(command.text ?? '');
    const scope = slackScope(command.team_id, command.channel_id);
    if (!question)
      return void (await ack({
        response_type: 'ephemeral',
        text: messages(await channelLanguage(context.core, scope)).help.slackAskUsage,
      }));
    const language = detectLanguage(question);
    // The acknowledgement is the asker's placeholder: it reaches them within Slack's 3 seconds
    // whatever the channel's posting limit; the answer follows in the channel.
    await ack({ response_type: 'ephemeral', text: placeholderText(channelLabel(command, language), language) });

    const heading = messages(language).answer.asked(`*${escapeMrkdwn(command.user_name ?? 'Someone')}*`, escapeMrkdwn(question));
    const request = { question, scope, askedBy: command.user_id };
    // Where Slack streams natively (known from an answer streamed since start), the question is posted
    // and answered in a thread under it: streams are replies. Elsewhere, as before, one message in the channel.
    const streams = !ephemeral && context.features.works('streaming', command.team_id);
    const asked = streams ? await postQuestion(context, command, heading) : undefined;
    if (asked) {
      await context.threads.add(command.channel_id, asked);
      const inThread = new PostedMessage({ outbox: context.outbox, channel: command.channel_id, threadTs: asked });
      const where = channelLabel(command, language);
      const target = { teamId: command.team_id, channel: command.channel_id, threadTs: asked, userId: command.user_id, isDm: false };
      const status = assistantStatus(client, context.features, { ...target, language, where });
      const surface = new SlackStreamSurface(context.outbox, context.features, target, new SlackAnswerSurface(inThread), status);
      void surface.showPlaceholder(placeholderText(where, language));
      return void (await answerQuestion(context.core, request, surface));
    }
    const message = new PostedMessage({ outbox: context.outbox, channel: command.channel_id, respond, ephemeral, acknowledged: true });
    await answerQuestion(context.core, request, new SlackAnswerSurface(message, heading));
  });
}
