import { MessageFlags, Routes, type Client, type Message, type TextBasedChannel } from 'discord.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { NO_MENTIONS, type MessageTarget } from './posted-message.js';

/** What identifies a command's reply after the process that deferred it is gone. */
export interface InteractionReply {
  applicationId: string;
  /** The interaction's token: its webhook edits the reply for 15 minutes. */
  token: string;
}

/**
 * A command's reply, edited by a process that did not receive the command (it resumed the work
 * after a crash): through the interaction's webhook while its token lives, then, if Discord refuses
 * (the 15 minutes are over), in a message of its own in the channel.
 */
export class ResumedReplyTarget implements MessageTarget {
  private fallback?: Message;
  private webhookGone = false;

  constructor(
    private readonly client: Client,
    private readonly reply: InteractionReply,
    private readonly channel: TextBasedChannel,
  ) {}

  async show(content: string): Promise<void> {
    if (!this.webhookGone) {
      try {
        await this.client.rest.patch(Routes.webhookMessage(this.reply.applicationId, this.reply.token), {
          body: { content, allowed_mentions: NO_MENTIONS_API },
          auth: false,
        });
        return;
      } catch (error) {
        log.info(`discord: the resumed /ingest's reply can no longer be edited (${oneLine(error)}); posting in the channel`);
        this.webhookGone = true;
      }
    }
    if (this.fallback) return void (await this.fallback.edit({ content, allowedMentions: NO_MENTIONS }));
    if ('send' in this.channel)
      this.fallback = await this.channel.send({ content, allowedMentions: NO_MENTIONS, flags: MessageFlags.SuppressEmbeds });
  }

  progress(content: string): Promise<void> {
    return this.show(content);
  }

  async append(content: string): Promise<void> {
    if ('send' in this.channel) await this.channel.send({ content, allowedMentions: NO_MENTIONS, flags: MessageFlags.SuppressEmbeds });
  }
}

/** NO_MENTIONS as the REST API spells it. */
const NO_MENTIONS_API = { parse: [], replied_user: false };
