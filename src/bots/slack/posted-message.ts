import type { RespondFn, webApi } from '@slack/bolt';
import { QueuedPost } from '../common/queued-post.js';
import type { SlackPayload } from './answer-render.js';
import type { SlackOutbox } from './message-outbox.js';

export interface PostedMessageOptions {
  outbox: SlackOutbox;
  channel: string;
  threadTs?: string;
  /** A slash command's response_url: used for ephemeral messages, and when the bot is not in the channel. */
  respond?: RespondFn;
  ephemeral?: boolean;
  /**
   * The slash command's acknowledgement already showed the asker a placeholder (ephemeral): the
   * first response_url message replaces it.
   */
  acknowledged?: boolean;
  /** The message exists already (posted before a restart): it is edited, not posted again. */
  ts?: string;
}

/** Errors meaning "citebot may not post here": the response_url still works for slash commands. */
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * One message citebot posts and then edits (an answer that grows, a progress line that becomes a
 * summary). In the channel through the SlackOutbox; through the response_url when ephemeral or
 * when the bot is not a member. Link unfurling is always off: every citation would otherwise unfurl.
 *
 * `progress` states may be skipped (under rate limits, or on a response_url, which Slack allows five
 * uses); `show` states are always delivered.
 */
export class PostedMessage {
  private readonly first: QueuedPost<SlackPayload, webApi.ChatPostMessageResponse>;
  private viaResponseUrl: boolean;
  /** The first response_url message replaces the acknowledgement's placeholder. */
  private replaceResponse: boolean;
  /** What the response_url was last sent. */
  private responded?: SlackPayload;
  /** Settles this message's claim on the edit budget (it was posted before its final state). */
  private settle?: () => void;

  constructor(private readonly options: PostedMessageOptions) {
    this.viaResponseUrl = Boolean(options.ephemeral && options.respond);
    this.replaceResponse = Boolean(options.acknowledged && this.viaResponseUrl);
    this.first = new QueuedPost((payload) => options.outbox.post(options.channel, () => this.postArguments(payload())));
    if (options.ts) this.first.adopt({ ok: true, channel: options.channel, ts: options.ts });
  }

  /** The message's ts once it is posted in the channel (not when it went through the response_url). */
  get ts(): string | undefined {
    return this.viaResponseUrl ? undefined : this.first.message?.ts;
  }

  /** An intermediate state (a placeholder, streamed text, progress): shown when Slack's limits allow. */
  async progress(payload: SlackPayload): Promise<void> {
    if (this.viaResponseUrl || this.first.replace(payload)) return;
    const ts = this.first.message?.ts;
    if (ts) return void (await this.options.outbox.updatePartial({ channel: this.options.channel, ts, ...payload }));
    if (this.first.started || !this.options.outbox.mayStream()) return;
    this.settle = this.options.outbox.owe();
    await this.post(payload);
  }

  /** A state that must be seen (the answer, a failure, a summary): posted, or the message edited into it. */
  async show(payload: SlackPayload): Promise<void> {
    try {
      if (!this.viaResponseUrl) this.first.replace(payload);
      await this.first.settled();
      if (this.first.sent(payload) || this.responded === payload) return;
      if (this.viaResponseUrl) return void (await this.respond(payload));
      const ts = this.first.message?.ts;
      // Nothing posted (or the post failed): post this.
      if (!ts) return void (await this.post(payload));
      await this.options.outbox.updateFinal({ channel: this.options.channel, ts, ...payload });
    } finally {
      this.settle?.();
    }
  }

  /** A further message under this one (an answer longer than one message's 50 blocks). */
  async append(payload: SlackPayload): Promise<void> {
    if (this.viaResponseUrl) return void (await this.respond(payload, false));
    await this.options.outbox.post(this.options.channel, () => this.postArguments(payload));
  }

  /** Posts in the channel; where citebot may not post, falls back to the response_url for good. */
  private async post(payload: SlackPayload): Promise<void> {
    try {
      await this.first.post(payload);
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (!this.options.respond || !code || !NOT_A_MEMBER.has(code)) throw error;
      this.viaResponseUrl = true;
      await this.respond(payload);
    }
  }

  private postArguments(payload: SlackPayload): webApi.ChatPostMessageArguments {
    return { channel: this.options.channel, thread_ts: this.options.threadTs, ...payload, unfurl_links: false, unfurl_media: false };
  }

  private respond(payload: SlackPayload, replace = this.replaceResponse): Promise<unknown> {
    this.replaceResponse = true;
    this.responded = payload;
    return this.options.respond!({
      ...payload,
      response_type: this.options.ephemeral ? 'ephemeral' : 'in_channel',
      replace_original: replace,
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}
