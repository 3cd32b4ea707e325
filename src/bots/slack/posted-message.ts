import type { RespondFn, webApi } from '@slack/bolt';
import type { SlackPayload } from './answer-blocks.js';

export interface PostedMessageOptions {
  client: webApi.WebClient;
  channel: string;
  threadTs?: string;
  /** A slash command's response_url: used for ephemeral messages, and when the bot is not in the channel. */
  respond?: RespondFn;
  ephemeral?: boolean;
}

/** Errors meaning "citebot may not post here": the response_url still works for slash commands. */
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * One message citebot posts and then edits (a placeholder that becomes the answer, a progress line
 * that becomes a summary). In the channel through chat.postMessage/chat.update; through the
 * response_url when ephemeral or when the bot is not a member. Link unfurling is always off:
 * every citation would otherwise unfurl.
 */
export class PostedMessage {
  private ts?: string;
  private viaResponseUrl: boolean;
  /** Whether a message exists to edit: the first post (channel or response_url) succeeded. */
  private posted = false;
  /** The first post, in flight or done: later edits wait for it, so the chain need not. */
  private first?: Promise<void>;

  constructor(private readonly options: PostedMessageOptions) {
    this.viaResponseUrl = Boolean(options.ephemeral && options.respond);
  }

  /** Posts the message the first time, replaces it after that. */
  async show(payload: SlackPayload): Promise<void> {
    if (this.first) await this.first.catch(() => undefined);
    // Nothing posted yet (or the first post failed): post this instead of editing.
    if (!this.posted) {
      this.first = this.post(payload);
      return this.first;
    }
    if (this.viaResponseUrl) {
      await this.respond(payload, true);
      return;
    }
    await this.options.client.chat.update({ channel: this.options.channel, ts: this.ts!, ...payload });
  }

  /** A further message under this one (an answer longer than one message's 50 blocks). */
  async append(payload: SlackPayload): Promise<void> {
    if (this.viaResponseUrl) return void (await this.respond(payload, false));
    await this.options.client.chat.postMessage({
      channel: this.options.channel,
      thread_ts: this.options.threadTs,
      ...payload,
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  private async post(payload: SlackPayload): Promise<void> {
    if (this.viaResponseUrl) {
      await this.respond(payload, false);
      this.posted = true;
      return;
    }
    try {
      const result = await this.options.client.chat.postMessage({
        channel: this.options.channel,
        thread_ts: this.options.threadTs,
        ...payload,
        unfurl_links: false,
        unfurl_media: false,
      });
      this.ts = result.ts;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (!this.options.respond || !code || !NOT_A_MEMBER.has(code)) throw error;
      this.viaResponseUrl = true;
      await this.respond(payload, false);
    }
    this.posted = true;
  }

  private respond(payload: SlackPayload, replace: boolean): Promise<unknown> {
    return this.options.respond!({
      ...payload,
      response_type: this.options.ephemeral ? 'ephemeral' : 'in_channel',
      replace_original: replace,
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}
