/**
 * The Slack double against the real @slack/bolt App (HTTP mode, default HTTPReceiver) and the real
 * @slack/web-api WebClient: signed requests in, Web API calls out.
 */
import type { AddressInfo } from 'node:net';
import { App, webApi, type AppOptions, type Logger, type SlashCommand } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SlackDouble, type SlackMessage } from './doubles/slack-double.js';
import { blockAction, eventCallback, postSigned, signRequest, slashCommand, urlVerification, JSON_TYPE } from './support/slack-requests.js';

const TEAM = 'T0CITE';
const TOKEN = 'xoxb-citebot-token';
const BOT = 'U0BOT';
const SECRET = 'signing-secret-for-tests';
const GENERAL = 'C0GENERAL';

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (...msg: unknown[]) =>
      void lines.push(`${level} ${msg.map(String).join(' ')}`);
  return {
    lines,
    debug: () => {},
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    setLevel: () => {},
    getLevel: () => 'info' as never,
    setName: () => {},
  };
}

/** A Bolt app in HTTP mode on a free loopback port (start({ port: 0 }) resolves with the http.Server). */
async function startApp(slack: SlackDouble, options: Partial<AppOptions> = {}) {
  const logger = memoryLogger();
  const app = new App({ token: TOKEN, signingSecret: SECRET, clientOptions: { slackApiUrl: slack.apiUrl }, logger, ...options });
  return {
    app,
    logger,
    start: async () => {
      const server = await app.start({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    },
  };
}

function webClient(slack: SlackDouble, token = TOKEN) {
  return new webApi.WebClient(token, { slackApiUrl: slack.apiUrl, logLevel: webApi.LogLevel.ERROR });
}

describe('SlackDouble with a real Bolt app', () => {
  let slack: SlackDouble;
  let app: App;
  let url: string;
  let logger: ReturnType<typeof memoryLogger>;
  const commands: SlashCommand[] = [];
  const mentions: { text: string; retryNum?: number; thread: SlackMessage[] }[] = [];

  beforeAll(async () => {
    slack = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, botUserId: BOT });
    slack.addChannel({ id: GENERAL, name: 'general' });
    slack.addUser({ id: 'U0ANA', name: 'ana', isAdmin: true });
    let start: () => Promise<string>;
    ({ app, logger, start } = await startApp(slack));
    app.command('/ask', async ({ command, ack, client, respond }) => {
      await ack();
      commands.push(command);
      await client.chat.postMessage({
        channel: command.channel_id,
        text: `Answer: ${command.text}`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*Answer:* ${command.text}` } }],
      });
      await respond({ response_type: 'ephemeral', text: 'Posted your answer.' });
    });
    app.event('app_mention', async ({ event, say, client, context }) => {
      const threadTs = event.thread_ts ?? event.ts;
      await say({ text: 'Looking it up…', thread_ts: threadTs });
      const replies = await client.conversations.replies({ channel: event.channel, ts: threadTs });
      mentions.push({ text: event.text, retryNum: context.retryNum, thread: replies.messages as SlackMessage[] });
    });
    app.action('feedback_up', async ({ ack, respond, body, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.container.message_ts) return;
      await client.reactions.add({ channel: body.container.channel_id, timestamp: body.container.message_ts, name: 'thumbsup' });
      await respond({ text: 'Thanks for the feedback!', replace_original: false });
    });
    url = await start();
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('serves auth.test, which Bolt calls when the App is constructed', async () => {
    const call = await slack.waitFor((c) => c.method === 'auth.test', 2000);
    expect(call.ok).toBe(true);
    const auth = await webClient(slack).auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: TEAM, user_id: BOT, bot_id: 'B0CITEBOT', url: 'https://citebot-test.slack.com/' });
  });

  it('answers url_verification with the challenge', async () => {
    const res = await urlVerification(url, SECRET, 'abc123');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ challenge: 'abc123' });
  });

  it('acks a signed slash command with 200, then the reply reaches the double and respond() the response_url', async () => {
    const responseUrl = slack.responseUrl();
    const res = await slashCommand(url, SECRET, {
      command: '/ask',
      text: 'refund policy?',
      team_id: TEAM,
      channel_id: GENERAL,
      user_id: 'U0ANA',
      response_url: responseUrl,
    });
    expect(res).toMatchObject({ status: 200, body: '' });
    const call = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.text === 'Answer: refund policy?');
    expect(call).toMatchObject({ status: 200, ok: true, args: { channel: GENERAL } });
    // The WebClient form-encodes blocks as a JSON string; the double decodes it like Slack does.
    expect(call.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*Answer:* refund policy?' } }]);
    expect(commands.at(-1)).toMatchObject({ command: '/ask', text: 'refund policy?', channel_id: GENERAL, response_url: responseUrl });
    const posted = slack.messages(GENERAL).find((m) => m.text === 'Answer: refund policy?');
    expect(posted).toMatchObject({ user: BOT, bot_id: 'B0CITEBOT', ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    await vi.waitFor(() => expect(slack.responses(responseUrl)).toEqual([{ response_type: 'ephemeral', text: 'Posted your answer.' }]));
  });

  it('refuses a badly signed or stale request with 401 and runs no listener', async () => {
    const before = { commands: commands.length, calls: slack.calls.length };
    const fields = {
      command: '/ask',
      text: 'forged',
      team_id: TEAM,
      channel_id: GENERAL,
      user_id: 'U0ANA',
      response_url: slack.responseUrl(),
    };
    expect(await slashCommand(url, SECRET, fields, { badSignature: true })).toMatchObject({ status: 401, body: '' });
    expect(await slashCommand(url, SECRET, fields, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).toMatchObject({ status: 401 });
    await new Promise((r) => setTimeout(r, 100));
    expect(commands.length).toBe(before.commands);
    expect(slack.calls.length).toBe(before.calls);
    expect(logger.lines.some((l) => l.includes('signature mismatch'))).toBe(true);
  });

  it('delivers an app_mention event_callback to its listener; retries arrive again with context.retryNum', async () => {
    const parentTs = '1700000500.000000';
    slack.addThreadMessage(GENERAL, parentTs, { user: 'U0ANA', text: `<@${BOT}> what is the refund policy?` });
    slack.addThreadMessage(GENERAL, parentTs, { user: 'U0ANA', text: 'the 2024 one' });
    const event = {
      type: 'app_mention',
      user: 'U0ANA',
      text: `<@${BOT}> what is the refund policy?`,
      ts: parentTs,
      channel: GENERAL,
      event_ts: parentTs,
    };
    const res = await eventCallback(url, SECRET, { team_id: TEAM, event, botUserId: BOT });
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(mentions).toHaveLength(1));
    const thread = mentions[0]!.thread;
    expect(thread.map((m) => [m.user, m.text])).toEqual([
      ['U0ANA', `<@${BOT}> what is the refund policy?`],
      ['U0ANA', 'the 2024 one'],
      [BOT, 'Looking it up…'],
    ]);
    expect(thread[0]).toMatchObject({ reply_count: 2, thread_ts: parentTs });
    expect(BigInt(thread[2]!.ts.replace('.', ''))).toBeGreaterThan(BigInt(parentTs.replace('.', '')));
    expect(mentions[0]!.retryNum).toBeUndefined();

    // Bolt does not drop redeliveries: it only exposes x-slack-retry-num/-reason as context.retryNum/retryReason.
    await eventCallback(url, SECRET, { team_id: TEAM, event, botUserId: BOT, retryNum: 1 });
    await vi.waitFor(() => expect(mentions).toHaveLength(2));
    expect(mentions[1]!.retryNum).toBe(1);
  });

  it('a 429 with Retry-After is retried by the WebClient and the message still arrives', async () => {
    slack.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const res = await slashCommand(url, SECRET, {
      command: '/ask',
      text: 'after a 429',
      team_id: TEAM,
      channel_id: GENERAL,
      user_id: 'U0ANA',
      response_url: slack.responseUrl(),
    });
    expect(res.status).toBe(200);
    await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.text === 'Answer: after a 429' && c.ok, 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const attempts = slack.callsTo('chat.postMessage').filter((c) => c.args.text === 'Answer: after a 429');
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(slack.messages(GENERAL).filter((m) => m.text === 'Answer: after a 429')).toHaveLength(1);
  });

  it('routes a block action; reactions.add and respond() land on the double', async () => {
    const { ts } = slack.messages(GENERAL).find((m) => m.user === BOT)!;
    const responseUrl = slack.responseUrl();
    const res = await blockAction(url, SECRET, {
      type: 'block_actions',
      user: { id: 'U0ANA', username: 'ana', team_id: TEAM },
      api_app_id: 'A0CITEBOT',
      container: { type: 'message', message_ts: ts, channel_id: GENERAL, is_ephemeral: false },
      trigger_id: '123.456.abc',
      team: { id: TEAM, domain: 'citebot-test' },
      channel: { id: GENERAL, name: 'general' },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: 'feedback_up', block_id: 'feedback', value: 'up', action_ts: '1700000600.000000' }],
    });
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(slack.responses(responseUrl)).toEqual([{ text: 'Thanks for the feedback!', replace_original: false }]));
    expect(slack.messages(GENERAL).find((m) => m.ts === ts)?.reactions).toEqual([{ name: 'thumbsup', users: [BOT], count: 1 }]);
  });

  it('takes five messages on one response_url, then answers used_url as Slack does', async () => {
    const responseUrl = slack.responseUrl();
    const post = (n: number) =>
      fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `reply ${n}` }) });
    for (let n = 1; n <= 5; n++) expect((await post(n)).status).toBe(200);
    const sixth = await post(6);
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    expect(slack.responses(responseUrl)).toHaveLength(5);
  });
});

describe('SlackDouble files', () => {
  let slack: SlackDouble;
  beforeAll(async () => {
    slack = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, botUserId: BOT });
    slack.addChannel({ id: GENERAL, name: 'general' });
    slack.addChannel({ id: 'G0SECRET', name: 'secret', isPrivate: true });
  });
  afterAll(() => slack.close());

  it('describes a file like Slack and serves it only with the bot token', async () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37]);
    const file = slack.addFile({ id: 'F0HANDBOOK', name: 'Hand book.pdf', channel: GENERAL, bytes, user: 'U0ANA' });
    expect(file).toMatchObject({
      id: 'F0HANDBOOK',
      size: 8,
      mimetype: 'application/pdf',
      filetype: 'pdf',
      pretty_type: 'PDF',
      user: 'U0ANA',
      channels: [GENERAL],
      url_private: `${slack.baseUrl}/files-pri/${TEAM}-F0HANDBOOK/Hand%20book.pdf`,
      url_private_download: `${slack.baseUrl}/files-pri/${TEAM}-F0HANDBOOK/download/Hand%20book.pdf`,
      permalink: 'https://citebot-test.slack.com/files/U0ANA/F0HANDBOOK/Hand%20book.pdf',
    });
    expect((await webClient(slack).files.info({ file: 'F0HANDBOOK' })).file).toEqual(file);

    const ok = await fetch(file.url_private_download, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(bytes);

    const anonymous = await fetch(file.url_private_download);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await anonymous.text()).toContain('Sign in to');

    const noScope = slack.addFile({ id: 'F0NOSCOPE', name: 'notes.txt', channel: GENERAL, bytes: 'hello', user: 'U0ANA', loginPage: true });
    const page = await fetch(noScope.url_private, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(slack.downloads.map((d) => [d.fileId, d.served])).toEqual([
      ['F0HANDBOOK', true],
      ['F0HANDBOOK', false],
      ['F0NOSCOPE', false],
    ]);
  });

  it('pages files.list by cursor (limit/next_cursor) and by legacy count/page, newest first', async () => {
    for (let i = 1; i <= 5; i++)
      slack.addFile({
        id: `F0PAGE${i}`,
        name: `doc${i}.md`,
        channel: 'G0SECRET',
        bytes: `# Doc ${i}`,
        user: 'U0ANA',
        created: 1_700_001_000 + i,
      });
    const client = webClient(slack);
    const first = await client.apiCall('files.list', { channel: 'G0SECRET', limit: 2 });
    expect((first as { files?: { id: string }[] }).files?.map((f) => f.id)).toEqual(['F0PAGE5', 'F0PAGE4']);
    expect(first.response_metadata?.next_cursor).toBeTruthy();

    const ids: string[] = [];
    for await (const page of client.paginate('files.list', { channel: 'G0SECRET', limit: 2 }))
      ids.push(...((page as { files?: { id: string }[] }).files ?? []).map((f) => f.id));
    expect(ids).toEqual(['F0PAGE5', 'F0PAGE4', 'F0PAGE3', 'F0PAGE2', 'F0PAGE1']);

    const legacy = await client.files.list({ channel: 'G0SECRET', count: 2, page: 3 });
    expect(legacy.files?.map((f) => f.id)).toEqual(['F0PAGE1']);
    expect(legacy.paging).toEqual({ count: 2, total: 5, page: 3, pages: 3 });
    // Files of a private channel are listed under `groups`, as Slack does.
    expect(legacy.files?.[0]).toMatchObject({ channels: [], groups: ['G0SECRET'], filetype: 'markdown', pretty_type: 'Markdown (raw)' });
  });
});

describe('SlackDouble Web API behaviour', () => {
  let slack: SlackDouble;
  beforeAll(async () => {
    slack = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, botUserId: BOT });
    slack.addChannel({ id: GENERAL, name: 'general' });
    slack.addChannel({ id: 'D0ANA', name: 'ana', isIm: true, user: 'U0ANA' });
    slack.addUser({ id: 'U0ANA', name: 'ana', isAdmin: true });
  });
  afterAll(() => slack.close());

  it('checks the token, and reports unknown methods, channels and streaming as Slack does', async () => {
    await expect(webClient(slack, 'xoxb-wrong').auth.test()).rejects.toMatchObject({ data: { ok: false, error: 'invalid_auth' } });
    const noToken = await fetch(`${slack.apiUrl}auth.test`, { method: 'POST' });
    expect(await noToken.json()).toEqual({ ok: false, error: 'not_authed' });
    const client = webClient(slack);
    await expect(client.apiCall('nope.nothing')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    await expect(client.chat.startStream({ channel: GENERAL, thread_ts: '1700000000.000100' })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    await expect(client.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
  });

  it('posts, updates, links, deletes; serves conversations.info and users.info; accepts JSON bodies', async () => {
    const client = webClient(slack);
    const posted = await client.chat.postMessage({ channel: GENERAL, text: 'Thinking…' });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply = await client.chat.postMessage({ channel: GENERAL, text: 'in thread', thread_ts: posted.ts });
    await client.chat.update({ channel: GENERAL, ts: posted.ts!, text: 'Done [1]', blocks: [{ type: 'divider' }] });
    expect(slack.messages(GENERAL)[0]).toMatchObject({ text: 'Done [1]', blocks: [{ type: 'divider' }], edited: { user: BOT } });
    const link = await client.chat.getPermalink({ channel: GENERAL, message_ts: reply.ts! });
    expect(link.permalink).toBe(
      `https://citebot-test.slack.com/archives/${GENERAL}/p${reply.ts!.replace('.', '')}?thread_ts=${posted.ts}&cid=${GENERAL}`,
    );
    await client.chat.postEphemeral({ channel: GENERAL, user: 'U0ANA', text: 'only you' });
    expect(slack.ephemerals.at(-1)).toMatchObject({ channel: GENERAL, user: 'U0ANA', text: 'only you' });
    await client.chat.delete({ channel: GENERAL, ts: reply.ts! });
    expect(slack.messages(GENERAL).map((m) => m.text)).toEqual(['Done [1]']);

    expect((await client.conversations.info({ channel: GENERAL })).channel).toMatchObject({
      name: 'general',
      is_private: false,
      is_im: false,
    });
    expect((await client.conversations.info({ channel: 'D0ANA' })).channel).toMatchObject({ is_im: true, user: 'U0ANA' });
    expect((await client.users.info({ user: 'U0ANA' })).user).toMatchObject({ name: 'ana', is_admin: true, is_owner: false });

    const json = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: GENERAL, text: 'via JSON', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: GENERAL, message: { text: 'via JSON', blocks: [{ type: 'divider' }] } });
    const badBlocks = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel: GENERAL, text: 'x', blocks: '[{"type":' }).toString(),
    });
    expect(await badBlocks.json()).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });

  it('failNext answers {ok:false,error}; delay holds an answer back', async () => {
    const client = webClient(slack);
    slack.failNext('users.info', 'user_not_found');
    await expect(client.users.info({ user: 'U0ANA' })).rejects.toMatchObject({ data: { ok: false, error: 'user_not_found' } });
    await expect(client.users.info({ user: 'U0ANA' })).resolves.toMatchObject({ ok: true });
    slack.delay('auth.test', 150);
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    slack.delay('auth.test', 0);
  });

  it('streams with chat.startStream/appendStream/stopStream when enabled', async () => {
    const streaming = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, streaming: true });
    try {
      streaming.addChannel({ id: GENERAL, name: 'general' });
      const client = webClient(streaming);
      const parent = streaming.addThreadMessage(GENERAL, '1700000000.000100', { user: 'U0001', text: 'refunds?' });
      const to = { recipient_user_id: 'U0001', recipient_team_id: TEAM };
      // A stream is a reply, and in a channel it goes to one recipient.
      await expect(client.chat.startStream({ channel: GENERAL, markdown_text: 'x', ...to } as never)).rejects.toMatchObject({
        data: { error: 'invalid_arguments' },
      });
      await expect(client.chat.startStream({ channel: GENERAL, thread_ts: parent.ts, markdown_text: 'x' })).rejects.toMatchObject({
        data: { error: 'invalid_arguments' },
      });
      const start = await client.chat.startStream({ channel: GENERAL, thread_ts: parent.ts, markdown_text: 'The policy ', ...to });
      await expect(client.chat.appendStream({ channel: GENERAL, ts: start.ts!, markdown_text: 'y'.repeat(12_001) })).rejects.toMatchObject({
        data: { error: 'msg_too_long' },
      });
      // Not editable while it streams.
      await expect(client.chat.update({ channel: GENERAL, ts: start.ts!, text: 'x' })).rejects.toMatchObject({
        data: { error: 'cant_update_message' },
      });
      await client.chat.appendStream({ channel: GENERAL, ts: start.ts!, markdown_text: 'allows refunds ' });
      const stop = await client.chat.stopStream({ channel: GENERAL, ts: start.ts!, markdown_text: 'within 14 days. [1]' });
      expect(stop.message).toMatchObject({ text: 'The policy allows refunds within 14 days. [1]', streaming_state: 'completed' });
      await expect(client.chat.appendStream({ channel: GENERAL, ts: start.ts!, markdown_text: 'more' })).rejects.toMatchObject({
        data: { error: 'message_not_in_streaming_state' },
      });
    } finally {
      await streaming.close();
    }
  });
});

describe('Bolt start-up and ack timing against the double', () => {
  let slack: SlackDouble;
  beforeAll(async () => {
    slack = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, botUserId: BOT });
    slack.addChannel({ id: GENERAL, name: 'general' });
  });
  afterAll(() => slack.close());

  it('surfaces a failing auth.test from app.init() when initialization is deferred', async () => {
    const { app } = await startApp(slack, { token: 'xoxb-revoked', deferInitialization: true });
    await expect(app.init()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('acks before the listener finishes unless processBeforeResponse is set', async () => {
    slack.delay('chat.postMessage', 400);
    try {
      for (const processBeforeResponse of [false, true]) {
        const { app, start } = await startApp(slack, { processBeforeResponse });
        app.command('/ask', async ({ ack, client, command }) => {
          await ack();
          await client.chat.postMessage({ channel: command.channel_id, text: `pbr=${processBeforeResponse}` });
        });
        const url = await start();
        try {
          const res = await slashCommand(url, SECRET, {
            command: '/ask',
            text: 'x',
            team_id: TEAM,
            channel_id: GENERAL,
            user_id: 'U0ANA',
            response_url: slack.responseUrl(),
          });
          expect(res.status).toBe(200);
          if (processBeforeResponse) expect(res.ms).toBeGreaterThanOrEqual(390);
          else expect(res.ms).toBeLessThan(390);
          await slack.waitFor((c) => c.args.text === `pbr=${processBeforeResponse}`);
        } finally {
          await app.stop();
        }
      }
    } finally {
      slack.delay('chat.postMessage', 0);
    }
  });

  it('signRequest matches what Bolt verifies (raw body, v0 basestring)', async () => {
    const { app, start } = await startApp(slack);
    const url = await start();
    try {
      const body = JSON.stringify({ type: 'url_verification', challenge: 'c' });
      const headers = signRequest(SECRET, body);
      expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
      expect(await postSigned(url, { secret: SECRET, body, contentType: JSON_TYPE })).toMatchObject({ status: 200 });
      expect(await postSigned(url, { secret: SECRET, body: `${body} `, contentType: JSON_TYPE, badSignature: true })).toMatchObject({
        status: 401,
      });
    } finally {
      await app.stop();
    }
  });
});

describe("SlackDouble: Slack's rate limits, on by default", () => {
  let slack: SlackDouble;
  beforeAll(async () => {
    // The default limits, on a frozen clock: no token comes back while the test runs, however slow the machine.
    slack = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, botUserId: BOT, rateLimits: { now: () => 0 } });
    slack.addChannel({ id: GENERAL, name: 'general' });
    slack.addChannel({ id: 'C0OTHER', name: 'other' });
  });
  afterAll(async () => {
    await slack.close();
  });

  /** A raw Web API call (no WebClient, so a 429 is seen rather than waited out). */
  async function call(method: string, args: Record<string, string>) {
    const res = await fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as { ok: boolean; error?: string; ts?: string },
    };
  }

  it('chat.postMessage: a burst of 4 per channel, then 429 ratelimited with Retry-After in whole seconds; channels apart', async () => {
    const posts = [];
    for (let i = 0; i < 6; i++) posts.push(await call('chat.postMessage', { channel: GENERAL, text: `message ${i}` }));
    expect(posts.slice(0, 4).map((p) => p.status)).toEqual([200, 200, 200, 200]);
    expect(posts[4]).toMatchObject({ status: 429, retryAfter: '1', body: { ok: false, error: 'ratelimited' } });
    expect(slack.messages(GENERAL)).toHaveLength(4);
    // Another channel has its own allowance.
    expect((await call('chat.postMessage', { channel: 'C0OTHER', text: 'elsewhere' })).status).toBe(200);
  });

  it('chat.update (Tier 3): 50 at once, then 429', async () => {
    const { ts } = (await call('chat.postMessage', { channel: 'C0OTHER', text: 'to edit' })).body;
    const statuses = [];
    for (let i = 0; i < 52; i++) statuses.push((await call('chat.update', { channel: 'C0OTHER', ts: ts!, text: `edit ${i}` })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.slice(50)).toEqual([429, 429]);
  });

  it('the WebClient waits out the limit: 4 messages at once in one channel all arrive, once each', async () => {
    const quiet = await SlackDouble.start({ teamId: TEAM, botToken: TOKEN, botUserId: BOT, rateLimits: { postMessageBurst: 2 } });
    try {
      quiet.addChannel({ id: GENERAL, name: 'general' });
      const client = webClient(quiet);
      await Promise.all(Array.from({ length: 4 }, (_, i) => client.chat.postMessage({ channel: GENERAL, text: `queued ${i}` })));
      expect(
        quiet
          .messages(GENERAL)
          .map((m) => m.text)
          .sort(),
      ).toEqual(['queued 0', 'queued 1', 'queued 2', 'queued 3']);
      expect(quiet.callsTo('chat.postMessage').some((c) => c.status === 429)).toBe(true);
    } finally {
      await quiet.close();
    }
  });
});
