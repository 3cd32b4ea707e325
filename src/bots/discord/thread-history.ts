import type { Message } from 'discord.js';
import type { Turn } from '../../chains/types.js';
import { isPlaceholder, withoutMention } from '../common/chat-text.js';

/** Turns kept from a reply chain or thread: enough for follow-ups, small enough for the context budget. */
const MAX_TURNS = 12;

function turnOf(message: Message, botId: string): Turn | undefined {
  const fromBot = message.author.id === botId;
  // citebot's source lines (-# …) are for readers, not for the model's memory of the answer.
  const content = fromBot
    ? message.content
        .split('\n')
        .filter((l) => !l.startsWith('-# '))
        .join('\n')
        .trim()
    : withoutMention(message.content, botId);
  if (!content || (fromBot && isPlaceholder(content))) return undefined;
  return { role: fromBot ? 'assistant' : 'user', content };
}

/**
 * The conversation before `message`: its reply chain when it replies to something, else the
 * recent messages of the thread it is in; nothing for a fresh question in a channel.
 */
export async function threadHistory(message: Message, botId: string): Promise<Turn[]> {
  const turns: Turn[] = [];
  if (message.reference?.messageId) {
    let current: Message | undefined = message;
    for (let i = 0; i < MAX_TURNS && current?.reference?.messageId; i++) {
      current = await current.fetchReference().catch(() => undefined);
      const turn = current && turnOf(current, botId);
      if (turn) turns.unshift(turn);
    }
    return turns;
  }
  if (message.channel.isThread()) {
    const thread = message.channel;
    const recent = await thread.messages.fetch({ limit: 30, before: message.id });
    for (const m of [...recent.values()].reverse()) {
      const turn = turnOf(m, botId);
      if (turn) turns.push(turn);
    }
    // A thread started on a message (an answer thread) begins with that message, which is in the parent
    // channel; a forum post's first message is in the thread itself, read above.
    const starter = await thread.fetchStarterMessage().catch(() => null);
    const first = starter && starter.channelId !== thread.id ? turnOf(starter, botId) : undefined;
    return first ? [first, ...turns.slice(-(MAX_TURNS - 1))] : turns.slice(-MAX_TURNS);
  }
  return turns;
}
