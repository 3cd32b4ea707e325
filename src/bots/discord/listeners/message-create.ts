import { channelLanguage } from '../../../app/channels.js';
import { claimEvent } from '../../../app/events.js';
import { type Client, Events, type Message } from 'discord.js';
import { log } from '../../../log.js';
import { oneLine } from '../../../errors.js';
import { answerQuestion } from '../../common/answer-flow.js';
import { DiscordAnswerSurface } from '../answer-surface.js';
import { placeholderText, withoutMention } from '../../common/chat-text.js';
import { threadHistory } from '../thread-history.js';
import type { DiscordContext } from '../discord-context.js';
import { ingestMessage } from '../ingest-run.js';
import { MessageReplyTarget } from '../posted-message.js';
import { discordScope } from '../scope.js';
import { detectLanguage, messages } from '../../../messages/index.js';

/** The channel whose documents a message may read: a thread reads its parent channel's. */
export function messageScope(message: Message): string {
  const channel = message.channel;
  const channelId = channel.isThread() ? (channel.parentId ?? channel.id) : channel.id;
  return discordScope(message.guildId, channelId);
}

/**
 * `@citebot <question>` is answered in a reply (streamed by editing it), with the reply chain or
 * thread as history. `@citebot ingest` indexes the message's attachments. In servers, messages
 * without a mention of citebot itself (not @everyone, not a role) are ignored; in DMs none are.
 */
export function registerMessageListener(client: Client, context: DiscordContext): void {
  client.on(Events.MessageCreate, (message) => {
    void handleMessage(context, message).catch((error: unknown) => log.error(`discord message handler failed: ${oneLine(error)}`));
  });
}

async function handleMessage(context: DiscordContext, message: Message): Promise<void> {
  if (message.author.bot || message.system) return;
  // In a server only mentions are for citebot; in a DM every message is.
  if (message.guildId && !message.mentions.users.has(context.botId)) return;
  // Once across processes: a gateway handed over to another replica may deliver a message twice.
  if (!(await claimEvent(context.core, `discord:message:${message.id}`))) return;
  const text = withoutMention(message.content, context.botId);
  const scope = messageScope(message);
  const target = new MessageReplyTarget(message, context.outbox);
  if (/^ingest\b/iu.test(text)) return ingestMessage(context, target, message, scope);
  if (!text) return target.show(messages(await channelLanguage(context.core, scope)).help.discordMention);
  const language = detectLanguage(text);

  // "citebot is typing…" at once, for the whole channel (one indicator however many mentions came
  // together); the reply follows when the channel's turn comes.
  const stopTyping = context.outbox.keepTyping(message.channel);
  try {
    const where = message.guildId
      ? `<#${message.channel.isThread() ? message.channel.parentId : message.channelId}>`
      : messages(language).placeholders.thisConversation;
    // The placeholder is posted while retrieval runs: edits wait for it, the chain does not.
    void target
      .progress(placeholderText(where, language))
      .catch((error: unknown) => log.warn(`discord: placeholder not posted: ${oneLine(error)}`));
    let history;
    try {
      history = await threadHistory(message, context.botId);
    } catch (error) {
      log.warn(`conversation history unavailable, answering without it: ${oneLine(error)}`);
      history = undefined;
    }
    await answerQuestion(context.core, { question: text, scope, askedBy: message.author.id, history }, new DiscordAnswerSurface(target));
  } finally {
    stopTyping();
  }
}
