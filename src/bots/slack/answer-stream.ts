import type { Answer } from '../../chains/types.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import type { StoredAnswer } from '../../store/ports.js';
import type { AnswerSurface } from '../common/answer-flow.js';
import { answerMessages, textMessage, type SlackPayload } from './answer-render.js';
import type { SlackOutbox } from './message-outbox.js';

/** chat.startStream/appendStream take at most this much markdown_text per call. */
const STREAM_CALL_CHARS = 12_000;
/** Errors that refuse this one stream, not the workspace's streaming (try again next answer). */
const TRANSIENT = new Set([
  'ratelimited',
  'slack_webapi_rate_limited_error',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** What citebot does instead when a workspace refuses a feature, for the log line. */
const INSTEAD = {
  streaming: 'answers there are edited into place instead',
  status: 'answers there show no status while they are prepared',
} as const;
export type WorkspaceFeature = keyof typeof INSTEAD;

/**
 * Workspaces where Slack refused a newer feature (native streaming, assistant statuses) for their
 * plan, the app's scopes or the install: citebot stops trying there and does what it did before.
 */
export class WorkspaceFeatures {
  private readonly refused = new Set<string>();
  private readonly worked = new Set<string>();

  /** Not refused yet (unknown counts as allowed: trying is how citebot finds out). */
  allows(feature: WorkspaceFeature, teamId: string): boolean {
    return !this.refused.has(`${feature} ${teamId}`);
  }

  /** Known to work in the workspace (it did since citebot started). */
  works(feature: WorkspaceFeature, teamId: string): boolean {
    return this.worked.has(`${feature} ${teamId}`);
  }

  confirm(feature: WorkspaceFeature, teamId: string): void {
    this.worked.add(`${feature} ${teamId}`);
  }

  /** Remembers a refusal for the workspace, said once in the log; a transient one only skips this answer. */
  refuse(feature: WorkspaceFeature, teamId: string, error: unknown): void {
    const code = errorCode(error);
    const key = `${feature} ${teamId}`;
    if (TRANSIENT.has(code) || this.refused.has(key)) return void log.debug(`slack: ${feature} not available this time (${code})`);
    this.refused.add(key);
    log.info(
      `slack: workspace ${teamId} refused ${feature === 'streaming' ? 'native streaming' : 'assistant statuses'} (${code}); ${INSTEAD[feature]}`,
    );
  }
}

function errorCode(error: unknown): string {
  const e = error as { data?: { error?: string }; code?: string };
  return e.data?.error ?? e.code ?? oneLine(error);
}

export interface StreamTarget {
  teamId: string;
  channel: string;
  /** Streams are replies: the thread the answer goes in. */
  threadTs: string;
  /** Who asked: outside a DM Slack streams to one recipient. */
  userId: string;
  isDm: boolean;
}

/**
 * An answer streamed with Slack's native streaming: the stream starts with the first words and grows
 * by appends; at the end it stops and the message is edited into the same final rendering the edit
 * path shows (streamed text cannot be taken back, and the final text may drop a citation). Where
 * Slack refuses the stream, the answer goes to `fallback` (the edit path) instead.
 */
export class SlackStreamSurface implements AnswerSurface {
  private started?: Promise<string | undefined>;
  private ts?: string;
  /** The markdown Slack has so far; appends add only what follows it. */
  private streamed = '';

  constructor(
    private readonly outbox: SlackOutbox,
    private readonly features: WorkspaceFeatures,
    private readonly target: StreamTarget,
    private readonly fallback: AnswerSurface,
    /** Shown while nothing is streamed yet (the assistant status; or nothing). */
    private readonly placeholder: (text: string) => Promise<unknown> = async () => {},
  ) {}

  async showPlaceholder(text: string): Promise<void> {
    if (this.started) return;
    await this.placeholder(text);
  }

  async showPartial(text: string): Promise<void> {
    if (!this.started) this.started = this.start(text);
    if (!(await this.started)) return void (await this.fallback.showPartial(text));
    // The text so far was rewritten (a citation normalised): nothing to append; the final edit shows it.
    if (!text.startsWith(this.streamed) || text.length === this.streamed.length) return;
    const more = text.slice(this.streamed.length);
    for (let i = 0; i < more.length; i += STREAM_CALL_CHARS) {
      const piece = more.slice(i, i + STREAM_CALL_CHARS);
      if (!(await this.outbox.appendStream({ channel: this.target.channel, ts: this.ts!, markdown_text: piece }))) return;
      this.streamed += piece;
    }
  }

  async showAnswer(answer: Answer, stored: StoredAnswer): Promise<void> {
    if (!(await this.started)) return void (await this.fallback.showAnswer(answer, stored));
    const [first, ...more] = answerMessages(answer, stored.id);
    await this.finish(first!);
    for (const payload of more) await this.outbox.post(this.target.channel, () => this.postArguments(payload));
  }

  async showFailure(message: string): Promise<void> {
    if (!(await this.started)) return void (await this.fallback.showFailure(message));
    await this.finish(textMessage(message));
  }

  private async start(text: string): Promise<string | undefined> {
    const { teamId, channel, threadTs, userId, isDm } = this.target;
    if (!this.features.allows('streaming', teamId)) return undefined;
    const markdown = text.slice(0, STREAM_CALL_CHARS);
    try {
      const started = await this.outbox.startStream({
        channel,
        thread_ts: threadTs,
        markdown_text: markdown,
        ...(isDm ? {} : { recipient_user_id: userId, recipient_team_id: teamId }),
      });
      this.ts = started.ts;
      this.streamed = markdown;
      this.features.confirm('streaming', teamId);
      return started.ts;
    } catch (error) {
      this.features.refuse('streaming', teamId, error);
      return undefined;
    }
  }

  /** Stops the stream, then edits the message into its final state (the same one the edit path shows). */
  private async finish(payload: SlackPayload): Promise<void> {
    const { channel } = this.target;
    await this.outbox
      .stopStream({ channel, ts: this.ts! })
      .catch((error: unknown) => log.warn(`slack: stream not stopped, editing it anyway: ${oneLine(error)}`));
    await this.outbox.updateFinal({ channel, ts: this.ts!, ...payload });
  }

  private postArguments(payload: SlackPayload) {
    return { channel: this.target.channel, thread_ts: this.target.threadTs, ...payload, unfurl_links: false, unfurl_media: false };
  }
}
