import type {
  Message,
  MessageCreateOptions,
  MessageEditOptions,
  MessageReplyOptions,
  SendableChannels,
  TextBasedChannel,
} from 'discord.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { WorkQueue } from '../../util/work-queue.js';

/** Discord shows "citebot is typing…" for 10 seconds per request. */
const TYPING_REFRESH_MS = 8000;

/**
 * citebot's replies in Discord channels, kept inside the per-channel buckets (5 messages and 5 edits
 * per 5 s). discord.js already waits out 429s and never drops a request; what it cannot do is read
 * a reply's text when its turn comes, or give up a streamed edit that only adds to the queue.
 *
 * - Replies go out one at a time per channel, their text read when their turn comes (see QueuedPost).
 * - A streamed edit is skipped while the channel has replies waiting or another edit in flight: the
 *   final edit always goes.
 * - One typing indicator per channel, while any answer there is being written: it shows at once, for
 *   everyone, however many mentions arrived together.
 */
export class DiscordReplyOutbox {
  private readonly replies = new WorkQueue();
  private readonly editsInFlight = new Map<string, number>();
  private readonly typing = new Map<string, { answers: number; timer: NodeJS.Timeout }>();

  /** Replies to `message` after the channel's earlier replies, with the options `payload` gives then. */
  reply(message: Message, payload: () => MessageReplyOptions): Promise<Message> {
    return this.replies.enqueue(message.channelId, () => message.reply(payload())).done;
  }

  /** Posts in `channel` (an answer thread) after the channel's earlier posts, with the options `payload` gives then. */
  send(channel: SendableChannels, payload: () => MessageCreateOptions): Promise<Message> {
    return this.replies.enqueue(channel.id, (): Promise<Message> => channel.send(payload())).done;
  }

  /** A streamed edit, when the channel has room for it; false when skipped. */
  async editPartial(reply: Message, options: MessageEditOptions): Promise<boolean> {
    const channel = reply.channelId;
    if (this.replies.pending(channel) > 0 || (this.editsInFlight.get(channel) ?? 0) > 0) return false;
    await this.edit(reply, options);
    return true;
  }

  /** The final edit: always sent (discord.js queues it behind the channel's bucket). */
  editFinal(reply: Message, options: MessageEditOptions): Promise<Message> {
    return this.edit(reply, options);
  }

  /** "citebot is typing…" in the channel until the returned function is called (shared by every answer there). */
  keepTyping(channel: TextBasedChannel): () => void {
    if (!('sendTyping' in channel)) return () => {};
    const send = () => void channel.sendTyping().catch((error: unknown) => log.debug(`typing indicator failed: ${oneLine(error)}`));
    let state = this.typing.get(channel.id);
    if (!state) {
      send();
      state = { answers: 0, timer: setInterval(send, TYPING_REFRESH_MS) };
      this.typing.set(channel.id, state);
    }
    state.answers++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--state.answers > 0) return;
      clearInterval(state.timer);
      this.typing.delete(channel.id);
    };
  }

  private async edit(reply: Message, options: MessageEditOptions): Promise<Message> {
    const channel = reply.channelId;
    this.editsInFlight.set(channel, (this.editsInFlight.get(channel) ?? 0) + 1);
    try {
      return await reply.edit(options);
    } finally {
      const left = (this.editsInFlight.get(channel) ?? 1) - 1;
      if (left > 0) this.editsInFlight.set(channel, left);
      else this.editsInFlight.delete(channel);
    }
  }
}
