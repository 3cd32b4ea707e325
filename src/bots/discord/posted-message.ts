import { MessageFlags, type CommandInteraction, type Message, type MessageCreateOptions, type SendableChannels } from 'discord.js';
import { QueuedPost } from '../common/queued-post.js';
import type { MessageComponents } from './feedback-components.js';
import type { DiscordReplyOutbox } from './reply-outbox.js';

/** Nothing citebot posts may ping anyone: no @everyone, roles, users, or the replied-to author. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const;

/**
 * One reply citebot shows and then edits (an answer that grows, a progress line that becomes a
 * summary), with further messages when the content needs more than one. A reply to a message, or
 * an interaction's deferred reply. `progress` states may be skipped under rate limits; `show`
 * states are always delivered.
 */
export interface MessageTarget {
  /** `components`: buttons under the message (an answer's 👍/👎). */
  show(content: string, components?: MessageComponents): Promise<void>;
  progress(content: string): Promise<void>;
  append(content: string, components?: MessageComponents): Promise<void>;
}

/** What a reply shows: its text, and the buttons under it once it is final. */
interface Shown {
  content: string;
  components?: MessageComponents;
}

/**
 * A reply to a user's message (or, given `thread`, a post in the thread started on it), then edits of
 * it; link previews suppressed (citations would each embed).
 */
export class MessageReplyTarget implements MessageTarget {
  private readonly first: QueuedPost<Shown, Message>;

  constructor(
    private readonly message: Message,
    private readonly outbox: DiscordReplyOutbox,
    private readonly thread?: SendableChannels,
  ) {
    const options = (shown: Shown) => ({ ...shown, allowedMentions: NO_MENTIONS, flags: MessageFlags.SuppressEmbeds as const });
    this.first = new QueuedPost((shown) =>
      thread ? outbox.send(thread, () => options(shown())) : outbox.reply(message, () => options(shown())),
    );
  }

  async progress(content: string): Promise<void> {
    if (this.first.replace({ content })) return;
    const reply = this.first.message;
    if (reply) return void (await this.outbox.editPartial(reply, { content, allowedMentions: NO_MENTIONS }));
    if (!this.first.started) await this.first.post({ content });
  }

  async show(content: string, components?: MessageComponents): Promise<void> {
    const shown: Shown = { content, ...(components && { components }) };
    this.first.replace(shown);
    const reply = await this.first.settled();
    if (this.first.sent(shown)) return;
    // Nothing posted (or the reply failed): reply with this.
    if (!reply) return void (await this.first.post(shown));
    await this.outbox.editFinal(reply, { ...shown, allowedMentions: NO_MENTIONS });
  }

  async append(content: string, components?: MessageComponents): Promise<void> {
    const options: MessageCreateOptions = {
      content,
      ...(components && { components }),
      allowedMentions: NO_MENTIONS,
      flags: MessageFlags.SuppressEmbeds,
    };
    const channel = this.thread ?? this.message.channel;
    if ('send' in channel) await channel.send(options);
  }
}

/** A command's reply (slash or context menu): deferred at once, then edited; more content goes out as follow-ups. */
export class InteractionTarget implements MessageTarget {
  constructor(
    private readonly interaction: CommandInteraction,
    private readonly ephemeral = false,
  ) {}

  /** Acknowledge within Discord's 3 seconds; the reply shows "citebot is thinking…" meanwhile. */
  async defer(): Promise<void> {
    if (!this.interaction.deferred && !this.interaction.replied) {
      await this.interaction.deferReply(this.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    }
  }

  async show(content: string, components?: MessageComponents): Promise<void> {
    await this.defer();
    await this.interaction.editReply({ content, ...(components && { components }), allowedMentions: NO_MENTIONS });
  }

  /** An interaction's reply is edited through its own webhook, whose bucket no other answer shares. */
  progress(content: string): Promise<void> {
    return this.show(content);
  }

  async append(content: string, components?: MessageComponents): Promise<void> {
    const flags = this.ephemeral ? MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral : MessageFlags.SuppressEmbeds;
    await this.interaction.followUp({ content, ...(components && { components }), allowedMentions: NO_MENTIONS, flags });
  }
}
