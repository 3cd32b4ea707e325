import type { RespondFn } from '@slack/bolt';
import type { SlackPayload } from './answer-blocks.js';
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
}

/** Errors meaning "citebot may not post here": the response_url still works for slash commands. */
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * One message citebot posts and then edits (an answer that grows, a progress line that becomes a
 * summary). In the channel through the SlackOutbox; through the response_url when ephemeral or
 * when the bot is not a member. Link unfurling is always off: every citation would otherwise unfurl.
 *
 * `progress` states may be skipped (under rate limits, or on a response_url, which Slack allows five
 * uses); `show` states are always delivered. Until the channel post goes out, a newer state replaces
 * the one waiting, so a message that waited for its turn is posted as it stands then.
 */
export class PostedMessage {
  private ts?: string;
  private viaResponseUrl: boolean;
  /** The text the queued post will send: replaced by newer states until it goes out. */
  private waiting?: SlackPayload;
  /** What the channel post sent, once it went out. */
  private sent?: SlackPayload;
  /** The channel post, queued or done: later states wait for it. */
  private first?: Promise<void>;
  /** The first response_url message replaces the acknowledgement's placeholder. */
  private replaceResponse: boolean;
  /** Settles this message's claim on the edit budget (it was posted before its final state). */
  private settle?: () => void;

  constructor(private readonly options: PostedMessageOptions) {
    this.viaResponseUrl = Boolean(options.ephemeral && options.respond);
    this.replaceResponse = Boolean(options.acknowledged && this.viaResponseUrl);
  }

  /** An intermediate state (a placeholder, streamed text, progress): shown when Slack's limits allow. */
  async progress(payload: SlackPayload): Promise<void> {
    if (this.viaResponseUrl) return;
    if (this.first) {
      if (this.ts === undefined) return void (this.waiting = payload);
      if (await this.options.outbox.updatePartial({ channel: this.options.channel, ts: this.ts, ...payload })) this.sent = payload;
      return;
    }
    if (!this.options.outbox.mayStream()) return;
    this.settle = this.options.outbox.owe();
    await this.post(payload);
  }

  /** A state that must be seen (the answer, a failure, a summary): posted, or the message edited into it. */
  async show(payload: SlackPayload): Promise<void> {
    try {
      if (this.viaResponseUrl) return void (await this.respond(payload));
      if (this.first && this.ts === undefined) this.waiting = payload;
      if (this.first) await this.first.catch(() => undefined);
      // Nothing posted (or the post failed): post this. The post may also have fallen back to the response_url.
      if (this.ts === undefined && !this.viaResponseUrl) return void (await this.post(payload));
      if (this.sent === payload) return;
      if (this.viaResponseUrl) return void (await this.respond(payload));
      await this.options.outbox.updateFinal({ channel: this.options.channel, ts: this.ts!, ...payload });
      this.sent = payload;
    } finally {
      this.settle?.();
    }
  }

  /** A further message under this one (an answer longer than one message's 50 blocks). */
  async append(payload: SlackPayload): Promise<void> {
    if (this.viaResponseUrl) return void (await this.respond(payload, false));
    await this.options.outbox.post(this.options.channel, () => this.postArguments(payload));
  }

  private post(payload: SlackPayload): Promise<void> {
    this.waiting = payload;
    this.first = this.options.outbox
      .post(this.options.channel, () => {
        this.sent = this.waiting;
        return this.postArguments(this.waiting!);
      })
      .then(
        (result) => void (this.ts = result.ts),
        async (error: unknown) => {
          const code = (error as { data?: { error?: string } }).data?.error;
          if (!this.options.respond || !code || !NOT_A_MEMBER.has(code)) {
            this.first = undefined;
            throw error;
          }
          this.viaResponseUrl = true;
          await this.respond(this.waiting!);
        },
      );
    return this.first;
  }

  private postArguments(payload: SlackPayload) {
    return { channel: this.options.channel, thread_ts: this.options.threadTs, ...payload, unfurl_links: false, unfurl_media: false };
  }

  private respond(payload: SlackPayload, replace = this.replaceResponse): Promise<unknown> {
    this.replaceResponse = true;
    this.sent = payload;
    return this.options.respond!({
      ...payload,
      response_type: this.options.ephemeral ? 'ephemeral' : 'in_channel',
      replace_original: replace,
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}
