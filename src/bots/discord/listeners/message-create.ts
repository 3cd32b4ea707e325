import { channelLanguage } from '../../../app/channels.js';
import { claimEvent } from '../../../app/events.js';
import { ChannelType, type Client, Events, type Message, type AnyThreadChannel } from 'discord.js';
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
 * thread as history; with DISCORD_ANSWER_MODE=thread, a question in a text channel gets a thread of
 * its own, answered there. `@citebot ingest` indexes the message's attachments. In servers, messages
 * without a mention of citebot itself (not @everyone, not a role) are ignored, except in a thread
 * citebot started for an answer, where every message is a follow-up; in DMs none are.
 */
export function registerMessageListener(client: Client, context: DiscordContext): void {
  client.on(Events.MessageCreate, (message) => {
    void handleMessage(context, message).catch((error: unknown) => log.error(`discord message handler failed: ${oneLine(error)}`));
  });
}

/** A thread citebot started on a question: what is said there is said to citebot. */
function isAnswerThread(message: Message, botId: string): boolean {
  return message.channel.isThread() && message.channel.ownerId === botId;
}

async function handleMessage(context: DiscordContext, message: Message): Promise<void> {
  if (message.author.bot || message.system) return;
  // In a server only mentions (and messages in citebot's answer threads) are for citebot; in a DM every message is.
  if (message.guildId && !message.mentions.users.has(context.botId) && !isAnswerThread(message, context.botId)) return;
  // Once across processes: a gateway handed over to another replica may deliver a message twice.
  if (!(await claimEvent(context.core, `discord:message:${message.id}`))) return;
  const text = withoutMention(message.content, context.botId);
  const scope = messageScope(message);
  if (/^ingest\b/iu.test(text)) return ingestMessage(context, new MessageReplyTarget(message, context.outbox), message, scope);
  if (!text)
    return new MessageReplyTarget(message, context.outbox).show(messages(await channelLanguage(context.core, scope)).help.discordMention);
  const language = detectLanguage(text);
  const thread = await answerThread(context, message, text);
  const target = new MessageReplyTarget(message, context.outbox, thread);

  // "citebot is typing…" at once, for the whole channel (one indicator however many mentions came
  // together); the reply follows when the channel's turn comes.
  const stopTyping = context.outbox.keepTyping(thread ?? message.channel);
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

/** Discord's limit on a thread's name. */
const THREAD_NAME_LIMIT = 100;

/**
 * DISCORD_ANSWER_MODE=thread: a thread on the question, named after it, for a question in a text or
 * announcement channel. Undefined (answer in a reply) in reply mode, in DMs, in threads and forum
 * posts (already threads), or when Discord refuses (e.g. no Create Public Threads permission).
 */
async function answerThread(context: DiscordContext, message: Message, text: string): Promise<AnyThreadChannel | undefined> {
  if (context.core.settings.DISCORD_ANSWER_MODE !== 'thread' || !message.inGuild()) return undefined;
  const type = message.channel.type;
  if (type !== ChannelType.GuildText && type !== ChannelType.GuildAnnouncement) return undefined;
  const name =
    [
      ...text
        .replace(/<(@[!&]?|#)\d+>/gu, '')
        .replace(/\s+/gu, ' ')
        .trim(),
    ]
      .slice(0, THREAD_NAME_LIMIT)
      .join('') || 'citebot';
  try {
    return await message.startThread({ name });
  } catch (error) {
    log.warn(`discord: could not start an answer thread in ${message.channelId}, replying instead: ${oneLine(error)}`);
    return undefined;
  }
}
