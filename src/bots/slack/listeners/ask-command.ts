import { channelLanguage } from '../../../app/channels.js';
import type { App, SlashCommand } from '@slack/bolt';
import { answerQuestion } from '../../common/answer-flow.js';
import { placeholderText } from '../../common/chat-text.js';
import { SlackAnswerSurface } from '../answer-surface.js';
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

/**
 * `/ask <question>`: acknowledge at once with a placeholder for the asker (Slack gives 3 seconds, the
 * answer can take a minute), stream the answer into a channel message, end with cited sources and
 * feedback buttons.
 */
export function registerAskCommand(app: App, context: SlackContext): void {
  app.command('/ask', async ({ command, ack, respond }) => {
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

    const message = new PostedMessage({ outbox: context.outbox, channel: command.channel_id, respond, ephemeral, acknowledged: true });
    const heading = messages(language).answer.asked(`*${escapeMrkdwn(command.user_name ?? 'Someone')}*`, escapeMrkdwn(question));
    const surface = new SlackAnswerSurface(message, heading);
    await answerQuestion(context.core, { question, scope, askedBy: command.user_id }, surface);
  });
}
