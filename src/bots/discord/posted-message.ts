import { MessageFlags, type ChatInputCommandInteraction, type Message, type MessageCreateOptions } from 'discord.js';
import { QueuedPost } from '../common/queued-post.js';
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
  show(content: string): Promise<void>;
  progress(content: string): Promise<void>;
  append(content: string): Promise<void>;
}

/** A reply to a user's message, then edits of it; link previews suppressed (citations would each embed). */
export class MessageReplyTarget implements MessageTarget {
  private readonly first: QueuedPost<string, Message>;

  constructor(
    private readonly message: Message,
    private readonly outbox: DiscordReplyOutbox,
  ) {
    this.first = new QueuedPost((content) =>
      outbox.reply(message, () => ({ content: content(), allowedMentions: NO_MENTIONS, flags: MessageFlags.SuppressEmbeds })),
    );
  }

  async progress(content: string): Promise<void> {
    if (this.first.replace(content)) return;
    const reply = this.first.message;
    if (reply) return void (await this.outbox.editPartial(reply, { content, allowedMentions: NO_MENTIONS }));
    if (!this.first.started) await this.first.post(content);
  }

  async show(content: string): Promise<void> {
    this.first.replace(content);
    const reply = await this.first.settled();
    if (this.first.sent(content)) return;
    // Nothing posted (or the reply failed): reply with this.
    if (!reply) return void (await this.first.post(content));
    await this.outbox.editFinal(reply, { content, allowedMentions: NO_MENTIONS });
  }

  async append(content: string): Promise<void> {
    const options: MessageCreateOptions = { content, allowedMentions: NO_MENTIONS, flags: MessageFlags.SuppressEmbeds };
    if ('send' in this.message.channel) await this.message.channel.send(options);
  }
}

/** A slash command's reply: deferred at once, then edited; more content goes out as follow-ups. */
export class InteractionTarget implements MessageTarget {
  constructor(
    private readonly interaction: ChatInputCommandInteraction,
    private readonly ephemeral = false,
  ) {}

  /** Acknowledge within Discord's 3 seconds; the reply shows "citebot is thinking…" meanwhile. */
  async defer(): Promise<void> {
    if (!this.interaction.deferred && !this.interaction.replied) {
      await this.interaction.deferReply(this.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    }
  }

  async show(content: string): Promise<void> {
    await this.defer();
    await this.interaction.editReply({ content, allowedMentions: NO_MENTIONS });
  }

  /** An interaction's reply is edited through its own webhook, whose bucket no other answer shares. */
  progress(content: string): Promise<void> {
    return this.show(content);
  }

  async append(content: string): Promise<void> {
    const flags = this.ephemeral ? MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral : MessageFlags.SuppressEmbeds;
    await this.interaction.followUp({ content, allowedMentions: NO_MENTIONS, flags });
  }
}
