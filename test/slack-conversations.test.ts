import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackBot, type SlackBot } from '../src/bots/slack/slack-bot.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { SlackDouble } from './doubles/slack-double.js';
import { freePort } from './support/free-port.js';
import { answerIn, answerSources, createTestCore, scopeTexts, type TestCore } from './support/harness.js';
import { eventCallback, slashCommand } from './support/slack-requests.js';

const SECRET = 'test-signing-secret';
const TEAM = 'T0CONV';
const DOMAIN = 'citebot-test';
const permalink = (channel: string, ts: string, threadTs?: string) =>
  `https://${DOMAIN}.slack.com/archives/${channel}/p${ts.replace('.', '')}${threadTs ? `?thread_ts=${threadTs}&cid=${channel}` : ''}`;

interface Harness {
  slack: SlackDouble;
  t: TestCore;
  bot: SlackBot;
  url: string;
  port: number;
}

async function startBot(slack: SlackDouble, t: TestCore, port: number): Promise<Harness> {
  const bot = await startSlackBot(t.core);
  await bot.catchUp;
  return { slack, t, bot, url: `http://127.0.0.1:${port}/slack/events`, port };
}

async function start(ollama: OllamaDouble): Promise<Harness> {
  const slack = await SlackDouble.start({ teamId: TEAM, teamDomain: DOMAIN });
  slack.addChannel({ id: 'CA', name: 'alpha' });
  slack.addChannel({ id: 'CB', name: 'beta' });
  slack.addUser({ id: 'UANA', name: 'ana' });
  slack.addUser({ id: 'UBEN', name: 'ben' });
  const port = await freePort();
  const t = await createTestCore(ollama, {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PORT: String(port),
    STREAM_EDIT_INTERVAL_MS: '250',
    MESSAGE_SYNC_DELAY_MS: '200',
  });
  return startBot(slack, t, port);
}

async function ingest(h: Harness, channel: string, text = ''): Promise<string> {
  const before = h.slack.calls.length;
  await slashCommand(h.url, SECRET, {
    command: '/ingest',
    text,
    team_id: TEAM,
    channel_id: channel,
    user_id: 'UANA',
    response_url: h.slack.responseUrl(),
  });
  const done = await h.slack.waitFor(
    (c) =>
      h.slack.calls.indexOf(c) >= before &&
      c.method === 'chat.update' &&
      /Conversation:|Conversation not indexed|files?: |No files/.test(String(c.args.text)) &&
      (text === 'files' || /Conversation/.test(String(c.args.text))),
    60_000,
  );
  return String(done.args.text);
}

function event(h: Harness, e: Record<string, unknown>) {
  return eventCallback(h.url, SECRET, { team_id: TEAM, event: e, botUserId: h.slack.botUserId });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Slack conversations (real Bolt, HTTP receiver, Web API double)', () => {
  let ollama: OllamaDouble;
  let h: Harness | undefined;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterEach(async () => {
    if (!h) return;
    await h.bot.stop();
    await h.t.close();
    await h.slack.close();
    h = undefined;
  });
  afterAll(async () => {
    await ollama.close();
  });

  /** 250 stand-alone messages over three days, a thread of 230 replies, bots, joins and citebot itself. */
  function seed(slack: SlackDouble) {
    const base = 1_800_000_000;
    for (let i = 0; i < 250; i++)
      slack.addThreadMessage('CA', `${base + i * 900}.000100`, {
        user: i % 2 ? 'UANA' : 'UBEN',
        text: `Routine status note number ${i} about coffee.`,
      });
    const root = `${base + 250 * 900}.000100`;
    slack.addThreadMessage('CA', root, { user: 'UANA', text: 'Where do we deploy the zebrafish service? <!channel>' });
    for (let i = 0; i < 230; i++)
      slack.addThreadMessage('CA', root, {
        user: 'UBEN',
        text: i === 117 ? 'We decided to deploy the zebrafish service to the Helsinki region on Friday.' : `Reply ${i}: still thinking.`,
      });
    slack.addRawMessage('CA', { text: 'Build pipeline flamingo passed', bot_id: 'BCI', subtype: 'bot_message', username: 'ci' });
    slack.addRawMessage('CA', { user: 'UBEN', text: '<@UBEN> has joined the channel flamingo', subtype: 'channel_join' });
    slack.addRawMessage('CA', { user: slack.botUserId, bot_id: slack.botId, text: 'citebot flamingo answer' });
    slack.addThreadMessage('CB', `${base}.000200`, { user: 'UBEN', text: 'Beta channel only: the walrus budget is 40 euros.' });
    const decision = slack.messages('CA').find((m) => /Helsinki/.test(m.text))!;
    return { root, decision };
  }

  it('indexes history and threads (paged, through 429s), cites the exact message, leaves bots, joins and citebot out, and never leaks', async () => {
    h = await start(ollama);
    const { root, decision } = seed(h.slack);
    h.slack.limitRate('conversations.replies', { calls: 1, perMs: 1000 });
    h.slack.rateLimitNext('conversations.history', 1);
    const summary = await ingest(h, 'CA');
    expect(summary).toMatch(/Conversation: 481 new messages/);
    // Several pages of history and of the thread, and the 429s were waited out.
    expect(h.slack.callsTo('conversations.history').filter((c) => c.ok).length).toBeGreaterThanOrEqual(2);
    expect(h.slack.callsTo('conversations.replies').filter((c) => c.ok).length).toBeGreaterThanOrEqual(2);
    expect(h.slack.calls.some((c) => c.status === 429)).toBe(true);

    const scope = `slack:${TEAM}:CA`;
    const all = await scopeTexts(h.t.core, scope);
    expect(all.some((t) => t.includes('flamingo'))).toBe(false);
    // The mass mention is inert.
    expect(all.find((t) => t.includes('zebrafish service?'))).toContain('@\u200bchannel');
    const docs = await h.t.core.index.documents([scope]);
    expect(docs.filter((d) => d.docId.startsWith('msg:thread:'))).toHaveLength(1);
    expect(docs.filter((d) => d.docId.startsWith('msg:day:')).length).toBeGreaterThanOrEqual(3);

    const a = await answerIn(h.t.core, 'Which region do we deploy the zebrafish service to?', scope);
    const hit = answerSources(a).find((s) => s.snippet.includes('Helsinki'));
    expect(hit?.url).toBe(permalink('CA', decision.ts, root));
    expect(hit?.location).toBe(`ben · ${new Date(Number(decision.ts.split('.')[0]) * 1000).toISOString().slice(0, 10)}`);

    // Another channel, another workspace, another platform: nothing of #alpha.
    for (const other of [`slack:${TEAM}:CB`, 'slack:T0OTHER:CA', 'discord:1:2', 'local:default']) {
      const elsewhere = await answerIn(h.t.core, 'Which region do we deploy the zebrafish service to?', other);
      expect(answerSources(elsewhere).some((s) => s.snippet.includes('Helsinki'))).toBe(false);
    }
  }, 120_000);

  it('follows new, edited and deleted messages in batches; a re-run embeds only what is new; a restart resumes from the cursor', async () => {
    h = await start(ollama);
    seed(h.slack);
    await ingest(h, 'CB');
    const scope = `slack:${TEAM}:CB`;
    expect((await scopeTexts(h.t.core, scope)).some((t) => t.includes('walrus'))).toBe(true);

    // Events: two new messages in one batch, then an edit and a deletion.
    ollama.reset();
    const first = h.slack.postUserMessage('CB', { user: 'UANA', text: 'The walrus budget moved to the octopus cost centre.' });
    const second = h.slack.postUserMessage('CB', { user: 'UBEN', text: 'Octopus cost centre code is OC-77.' });
    for (const e of [first, second]) expect((await event(h, e)).status).toBe(200);
    await until(async () => (await scopeTexts(h!.t.core, scope)).some((t) => t.includes('OC-77')), 'the new messages');
    expect(ollama.embedInputs.flat().filter((i) => /octopus|OC-77/i.test(i))).toHaveLength(2);
    expect(ollama.embedInputs.flat().some((i) => i.includes('walrus budget is 40'))).toBe(false);

    await event(h, h.slack.editUserMessage('CB', String(second.ts), 'Octopus cost centre code is OC-99.'));
    await until(async () => (await scopeTexts(h!.t.core, scope)).some((t) => t.includes('OC-99')), 'the edit');
    expect((await scopeTexts(h.t.core, scope)).some((t) => t.includes('OC-77'))).toBe(false);
    const edited = await answerIn(h.t.core, 'What is the octopus cost centre code?', scope);
    expect(answerSources(edited).some((s) => s.snippet.includes('OC-77'))).toBe(false);

    await event(h, h.slack.deleteUserMessage('CB', String(first.ts)));
    await until(async () => !(await scopeTexts(h!.t.core, scope)).some((t) => t.includes('moved to the octopus')), 'the deletion');

    // A channel never ingested is not followed: its events index nothing.
    await event(h, h.slack.postUserMessage('CA', { user: 'UANA', text: 'Unfollowed channel narwhal message' }));
    await new Promise((r) => setTimeout(r, 600));
    expect(await h.t.core.index.documents([`slack:${TEAM}:CA`])).toHaveLength(0);

    // A re-run reads only what is newer than the cursor and embeds nothing known.
    ollama.reset();
    const historyCalls = h.slack.callsTo('conversations.history').length;
    expect(await ingest(h, 'CB')).toMatch(/Conversation: no new messages/);
    expect(ollama.embedInputs.flat()).toHaveLength(0);
    const rerun = h.slack.callsTo('conversations.history').slice(historyCalls);
    expect(rerun[0]!.args.oldest).toBe((await h.t.core.state.messages.channel(scope))!.cursor);

    // citebot stops; a message is posted meanwhile (its event is lost); on start it is read from the cursor.
    await h.bot.stop();
    h.slack.postUserMessage('CB', { user: 'UANA', text: 'Posted while away: the kraken launch is on Monday.' });
    ollama.reset();
    h = { ...(await startBot(h.slack, h.t, h.port)) };
    expect((await scopeTexts(h.t.core, scope)).some((t) => t.includes('kraken'))).toBe(true);
    expect(ollama.embedInputs.flat()).toHaveLength(1);

    // /forget messages removes the conversation and stops following it; /ingest files leaves it out.
    await slashCommand(h.url, SECRET, {
      command: '/forget',
      text: 'messages',
      team_id: TEAM,
      channel_id: 'CB',
      user_id: 'UBEN',
      response_url: h.slack.responseUrl(),
    });
    await until(
      async () => (await h!.t.core.index.documents([scope])).length === 0 && !(await h!.t.core.state.messages.channel(scope)),
      'forget messages',
    );
    await ingest(h, 'CB', 'files');
    expect(await h.t.core.index.documents([scope])).toHaveLength(0);
    expect(await h.t.core.state.messages.channel(scope)).toBeUndefined();
  }, 120_000);

  it('a first /ingest of a channel whose history is all older than SLACK_HISTORY_DAYS says how many days were read and how to read further back', async () => {
    h = await start(ollama);
    h.slack.addChannel({ id: 'COLD', name: 'old' });
    const longAgo = Math.floor(Date.now() / 1000) - 400 * 86_400;
    h.slack.addThreadMessage('COLD', `${longAgo}.000100`, { user: 'UANA', text: 'The archive key is in vault 7.' });
    const summary = await ingest(h, 'COLD');
    expect(summary).toContain(
      'Conversation: no messages in the last 365 days (SLACK_HISTORY_DAYS=365); to read further back, raise SLACK_HISTORY_DAYS and run /ingest again.',
    );
    expect(summary).not.toMatch(/no new messages/);
  }, 60_000);

  it('a channel citebot is not in says how to fix it', async () => {
    h = await start(ollama);
    h.slack.addChannel({ id: 'GPRIV', name: 'secret', isPrivate: true });
    h.slack.addThreadMessage('GPRIV', '1800000000.000100', { user: 'UANA', text: 'private' });
    h.slack.removeBotFrom('GPRIV');
    expect(await ingest(h, 'GPRIV')).toMatch(/invite it/);
    expect(await h.t.core.index.documents([`slack:${TEAM}:GPRIV`])).toHaveLength(0);
  }, 60_000);
});
