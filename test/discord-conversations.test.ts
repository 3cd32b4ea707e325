import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot } from '../src/bots/discord/discord-bot.js';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { answerIn, answerSources, createTestCore, scopeTexts } from './support/harness.js';
import { stopDiscordHarness, type DiscordHarness } from './support/discord-harness.js';

const GUILD = '1400000000000000001';
const OTHER_GUILD = '1400000000000000002';
const ALPHA = '1400000000000000011';
const BETA = '1400000000000000012';
const FAR = '1400000000000000021';
const THREAD = '1400000000000000013';
const ANN = { id: '1400000000000000101', username: 'ann' };
const BOB = { id: '1400000000000000102', username: 'bob' };
const CI = { id: '1400000000000000109', username: 'ci', bot: true };

describe('Discord conversations (real discord.js against the REST + gateway double)', () => {
  let ollama: OllamaDouble;
  let h: DiscordHarness | undefined;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterEach(async () => {
    await stopDiscordHarness(h);
    h = undefined;
  });
  afterAll(async () => {
    await ollama.close();
  });

  async function start(): Promise<DiscordHarness> {
    const discord = await DiscordDouble.start();
    discord.addGuild({
      id: GUILD,
      name: 'Docs team',
      channels: [
        { id: ALPHA, name: 'alpha' },
        { id: BETA, name: 'beta' },
        { id: THREAD, name: 'deploy thread', type: 11, parentId: ALPHA },
      ],
      members: [ANN, BOB],
    });
    discord.addGuild({ id: OTHER_GUILD, name: 'Elsewhere', channels: [{ id: FAR, name: 'alpha' }], members: [ANN] });
    const t = await createTestCore(ollama, {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      STREAM_EDIT_INTERVAL_MS: '250',
      MESSAGE_SYNC_DELAY_MS: '200',
    });
    const bot = await startDiscordBot(t.core);
    await bot.catchUp;
    return { discord, t, bot };
  }

  async function ingest(x: DiscordHarness, channelId = ALPHA, options: Record<string, string | boolean> = {}): Promise<string> {
    const { id } = x.discord.sendInteraction({ name: 'ingest', options, channelId, guildId: GUILD, user: ANN });
    let content = '';
    await expect
      .poll(() => (content = x.discord.interactionMessages(id).original?.content ?? ''), { timeout: 60_000 })
      .toMatch(options.files ? /files?: |No files|No new attachments/ : /Conversation: |could not/);
    return content;
  }

  it('indexes a channel (several pages) and its thread, cites the message link, leaves bots out, and keeps to its scope', async () => {
    h = await start();
    const { discord } = h;
    discord.seedHistory(ALPHA, 250, (i) => ({
      author: i % 2 ? ANN : BOB,
      content: i === 42 ? 'The narwhal release ships from the Oslo office @everyone' : `ordinary chatter ${i}`,
    }));
    discord.seedHistory(ALPHA, 3, () => ({ author: CI, content: 'CI pipeline heron passed' }));
    discord.sendMessage({ channelId: THREAD, author: BOB, content: 'In the thread: the narwhal budget is 12 walruses.' });
    // History reads are rate-limited: discord.js waits out the 429 and goes on.
    discord.rateLimitNext(new RegExp(`^/channels/${ALPHA}/messages$`), 300);
    const summary = await ingest(h);
    expect(discord.requests.some((r) => r.status === 429)).toBe(true);
    expect(summary).toMatch(/Conversation: 251 new messages/);
    expect(discord.requestsTo('GET', new RegExp(`^/channels/${ALPHA}/messages`)).length).toBeGreaterThanOrEqual(3);

    const scope = `discord:${GUILD}:${ALPHA}`;
    const all = await scopeTexts(h.t.core, scope);
    expect(all.some((t) => t.includes('heron'))).toBe(false);
    expect(all.find((t) => t.includes('Oslo'))).toContain('@\u200beveryone');
    expect((await h.t.core.index.documents([scope])).filter((d) => d.docId === `msg:thread:${THREAD}`)).toHaveLength(1);

    const oslo = discord.messages(ALPHA).find((m) => m.content.includes('Oslo'))!;
    const a = await answerIn(h.t.core, 'Which office does the narwhal release ship from?', scope);
    const hit = answerSources(a).find((s) => s.snippet.includes('Oslo'));
    expect(hit?.url).toBe(`https://discord.com/channels/${GUILD}/${ALPHA}/${oslo.id}`);
    // The day is named once, by the source ("#alpha · 2026-12-07"), not again in the location (issue 26).
    expect(hit?.location).toBe('bob');
    expect(hit?.source).toContain(oslo.timestamp.slice(0, 10));
    const budget = await answerIn(h.t.core, 'What is the narwhal budget?', scope);
    const threadHit = answerSources(budget).find((s) => s.snippet.includes('12 walruses'));
    expect(threadHit?.url).toMatch(new RegExp(`^https://discord.com/channels/${GUILD}/${THREAD}/\\d+$`));

    for (const other of [`discord:${GUILD}:${BETA}`, `discord:${OTHER_GUILD}:${FAR}`, `slack:T1:${ALPHA}`]) {
      const elsewhere = await answerIn(h.t.core, 'Which office does the narwhal release ship from?', other);
      expect(answerSources(elsewhere).some((s) => s.snippet.includes('Oslo'))).toBe(false);
    }
  }, 120_000);

  it('follows MESSAGE_CREATE, MESSAGE_UPDATE and MESSAGE_DELETE; a re-run and a restart read only what is new', async () => {
    h = await start();
    const { discord } = h;
    discord.seedHistory(BETA, 5, (i) => ({ author: ANN, content: `beta history ${i}` }));
    await ingest(h, BETA);
    const scope = `discord:${GUILD}:${BETA}`;

    ollama.reset();
    const a = discord.sendMessage({ channelId: BETA, author: ANN, content: 'The octopus code is OC-77.' });
    const b = discord.sendMessage({ channelId: BETA, author: BOB, content: 'The squid room is B-12.' });
    await expect.poll(async () => (await scopeTexts(h!.t.core, scope)).some((t) => t.includes('B-12')), { timeout: 20_000 }).toBe(true);
    expect(ollama.embedInputs.flat()).toHaveLength(2);

    discord.editUserMessage(BETA, a.id, 'The octopus code is OC-99.');
    await expect.poll(async () => (await scopeTexts(h!.t.core, scope)).some((t) => t.includes('OC-99')), { timeout: 20_000 }).toBe(true);
    expect((await scopeTexts(h.t.core, scope)).some((t) => t.includes('OC-77'))).toBe(false);
    const edited = await answerIn(h.t.core, 'What is the octopus code?', scope);
    expect(answerSources(edited).some((s) => s.snippet.includes('OC-77'))).toBe(false);

    discord.deleteUserMessage(BETA, b.id);
    await expect.poll(async () => (await scopeTexts(h!.t.core, scope)).some((t) => t.includes('B-12')), { timeout: 20_000 }).toBe(false);

    // A channel never ingested is not followed.
    discord.sendMessage({ channelId: FAR, author: ANN, content: 'unfollowed walrus' });
    await new Promise((r) => setTimeout(r, 600));
    expect(await h.t.core.index.documents([`discord:${OTHER_GUILD}:${FAR}`])).toHaveLength(0);

    ollama.reset();
    expect(await ingest(h, BETA)).toMatch(/Conversation: no new messages/);
    expect(ollama.embedInputs.flat()).toHaveLength(0);

    // Stopped; a message is posted meanwhile; on start it is read from the cursor.
    await h.bot.stop();
    discord.seedHistory(BETA, 1, () => ({ author: ANN, content: 'Posted while away: the kraken launch is Monday.' }), {
      endAt: Date.now() + 5000,
    });
    ollama.reset();
    h = { ...h, bot: await startDiscordBot(h.t.core) };
    await h.bot.catchUp;
    expect((await scopeTexts(h.t.core, scope)).some((t) => t.includes('kraken'))).toBe(true);
    expect(ollama.embedInputs.flat()).toHaveLength(1);

    // /forget file:messages, then /ingest files:true leaves the conversation out.
    const { id } = discord.sendInteraction({ name: 'forget', options: { file: 'messages' }, channelId: BETA, guildId: GUILD, user: ANN });
    await expect
      .poll(() => discord.interactionMessages(id).original?.content ?? '', { timeout: 20_000 })
      .toMatch(/Removed this channel's messages/);
    expect(await h.t.core.index.documents([scope])).toHaveLength(0);
    await ingest(h, BETA, { files: true });
    expect(await h.t.core.index.documents([scope])).toHaveLength(0);
  }, 120_000);
});
