/**
 * citebot's Slack adapter (real Bolt, HTTP receiver) against the Slack double, for tests of the
 * AI-app surface: streaming, statuses, feedback dialogs, files in questions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSlackBot, type SlackBot } from '../../src/bots/slack/slack-bot.js';
import type { OllamaDouble } from '../doubles/ollama-double.js';
import { SlackDouble, type SlackDoubleOptions } from '../doubles/slack-double.js';
import { freePort } from './free-port.js';
import { createTestCore, type TestCore } from './harness.js';
import { blockAction, eventCallback, slashCommand } from './slack-requests.js';

export const SECRET = 'test-signing-secret';
export const TEAM = 'T0CITEBOT';
export const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'docs', name));

export interface SlackHarness {
  slack: SlackDouble;
  t: TestCore;
  bot: SlackBot;
  url: string;
  /** Sends /command text from a user in a channel; resolves with the HTTP result and its response_url. */
  command(
    command: string,
    text: string,
    o?: { channel?: string; user?: string; channelName?: string },
  ): Promise<Awaited<ReturnType<typeof slashCommand>> & { responseUrl: string }>;
  event(event: Record<string, unknown>, o?: { eventId?: string; retryNum?: number }): ReturnType<typeof eventCallback>;
  interaction(payload: Record<string, unknown>): ReturnType<typeof blockAction>;
  stop(): Promise<void>;
}

/**
 * Channels #alpha (CA), #beta (CB) and the private #secret (GPRIV), people ana (UANA), ben (UBEN) and
 * the workspace admin root (UADMIN), and a DM with ana (DANA).
 */
export async function startSlackHarness(
  ollama: OllamaDouble,
  o: { double?: SlackDoubleOptions; settings?: Record<string, string> } = {},
): Promise<SlackHarness> {
  const slack = await SlackDouble.start({ teamId: TEAM, ...o.double });
  slack.addChannel({ id: 'CA', name: 'alpha' });
  slack.addChannel({ id: 'CB', name: 'beta' });
  slack.addChannel({ id: 'GPRIV', name: 'secret', isPrivate: true });
  slack.addChannel({ id: 'DANA', name: 'UANA', isIm: true, user: 'UANA' });
  slack.addUser({ id: 'UANA', name: 'ana' });
  slack.addUser({ id: 'UBEN', name: 'ben' });
  slack.addUser({ id: 'UADMIN', name: 'root', isAdmin: true });
  const port = await freePort();
  const t = await createTestCore(ollama, {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PORT: String(port),
    STREAM_EDIT_INTERVAL_MS: '250',
    ...o.settings,
  });
  const bot = await startSlackBot(t.core);
  const url = `http://127.0.0.1:${port}/slack/events`;
  const harness: SlackHarness = {
    slack,
    t,
    bot,
    url,
    async command(command, text, c = {}) {
      const responseUrl = slack.responseUrl();
      const result = await slashCommand(url, SECRET, {
        command,
        text,
        team_id: TEAM,
        channel_id: c.channel ?? 'CA',
        channel_name: c.channelName ?? 'alpha',
        user_id: c.user ?? 'UANA',
        response_url: responseUrl,
        trigger_id: slack.triggerId(),
      });
      return { ...result, responseUrl };
    },
    event: (event, e = {}) =>
      eventCallback(url, SECRET, { team_id: TEAM, event, event_id: e.eventId, retryNum: e.retryNum, botUserId: slack.botUserId }),
    interaction: (payload) => blockAction(url, SECRET, payload),
    // The fields, not the ones started here: a test may restart the bot on the same state.
    async stop() {
      await harness.bot.stop();
      await harness.t.close();
      await harness.slack.close();
    },
  };
  return harness;
}

/** Shares a fixture (Normans.md) in #alpha (or another channel) and indexes it with /ingest files (waits for the summary). */
export async function shareNormans(h: SlackHarness, channel = 'CA', name = 'Normans.md'): Promise<void> {
  h.slack.addFile({ id: `F${channel}${name.length}`, name, channel, user: 'UANA', bytes: fixture(name) });
  await h.command('/ingest', 'files', { channel, channelName: channel === 'DANA' ? 'directmessage' : 'alpha' });
  await h.slack.waitFor(
    (c) => c.method === 'chat.update' && c.args.channel === channel && /^\d+ files?: /.test(String(c.args.text)),
    30_000,
  );
}

/** ana mentions citebot in #alpha (a new message, so a new thread); returns the question's ts. */
export async function mention(h: SlackHarness, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const question = h.slack.postUserMessage('CA', { user: 'UANA', text: `<@${h.slack.botUserId}> ${text}` });
  await h.event({
    type: 'app_mention',
    user: 'UANA',
    text: question.text,
    ts: question.ts,
    channel: 'CA',
    event_ts: question.ts,
    ...extra,
  });
  return String(question.ts);
}

/** The reply citebot finished under a thread: its message as the double stores it, once it carries the feedback buttons. */
export async function finishedReply(
  h: SlackHarness,
  channel: string,
  threadTs: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const find = () =>
    h.slack
      .messages(channel)
      .find((m) => m.thread_ts === threadTs && m.user === h.slack.botUserId && JSON.stringify(m.blocks ?? '').includes('citebot_feedback'));
  const started = Date.now();
  while (!find()) {
    if (Date.now() - started > timeoutMs) throw new Error(`no finished reply in ${channel} under ${threadTs}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Anything still in flight for this answer (a late edit) lands first.
  await new Promise((r) => setTimeout(r, 300));
  return find()!;
}
