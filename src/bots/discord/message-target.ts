import { MessageFlags, type ChatInputCommandInteraction, type Message, type MessageCreateOptions } from 'discord.js';

/** Nothing citebot posts may ping anyone: no @everyone, roles, users, or the replied-to author. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const;

/**
 * One reply citebot shows and then edits (a placeholder that becomes the answer, a progress line
 * that becomes a summary), with further messages when the content needs more than one. A reply
 * to a message, or an interaction's deferred reply.
 */
export interface MessageTarget {
  show(content: string): Promise<void>;
  append(content: string): Promise<void>;
}

/** A reply to a user's message, then edits of it; link previews suppressed (citations would each embed). */
export class MessageReplyTarget implements MessageTarget {
  /** The reply, posted or being posted: later edits wait for it, so the chain need not. */
  private reply?: Promise<Message>;

  constructor(private readonly message: Message) {}

  async show(content: string): Promise<void> {
    const reply = await this.reply?.catch(() => undefined);
    if (reply) {
      await reply.edit({ content, allowedMentions: NO_MENTIONS });
      return;
    }
    // Nothing posted yet (or the first reply failed): reply with this.
    this.reply = this.message.reply({ content, allowedMentions: NO_MENTIONS, flags: MessageFlags.SuppressEmbeds });
    await this.reply;
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

  async append(content: string): Promise<void> {
    const flags = this.ephemeral ? MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral : MessageFlags.SuppressEmbeds;
    await this.interaction.followUp({ content, allowedMentions: NO_MENTIONS, flags });
  }
}
