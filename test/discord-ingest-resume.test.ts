import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { testEnv } from './support/harness.js';
import { expectIndexedOnce, serveUntil, sixParagraphReport } from './support/interrupted-serve.js';

const GUILD = '1600000000000000001';
const CHANNEL = '1600000000000000002';
const ANN = { id: '1600000000000000003', username: 'ann' };
const FILES = 6;

describe('a Discord /ingest interrupted by kill -9', () => {
  let ollama: OllamaDouble;
  let discord: DiscordDouble;
  beforeAll(async () => {
    ollama = await OllamaDouble.start({ embedDelayMsPerText: 120 });
    discord = await DiscordDouble.start();
    discord.addGuild({ id: GUILD, name: 'g', channels: [{ id: CHANNEL, name: 'reports' }], members: [ANN] });
    discord.seedHistory(CHANNEL, FILES, (i) => ({
      author: ANN,
      content: `report ${i}`,
      attachments: [{ filename: `report-${i}.md`, bytes: sixParagraphReport(i) }],
    }));
  });
  afterAll(async () => {
    await discord.close();
    await ollama.close();
  });

  it('resumes on the next start and finishes the same reply with one summary; no orphan vectors', async () => {
    const { env, dataDir } = testEnv(ollama.url, {
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      CHUNK_TOKENS: '40',
      CHUNK_OVERLAP_TOKENS: '0',
      EMBED_BATCH_SIZE: '2',
      INDEX_MESSAGES: 'false',
      LEASE_TTL_S: '2',
    });
    const serve = () => serveUntil(env, /discord: connected as/);
    let running: ChildProcess | undefined;
    try {
      const first = await serve();
      running = first.child;
      const { id } = discord.sendInteraction({ name: 'ingest', options: {}, channelId: CHANNEL, guildId: GUILD, user: ANN });
      const reply = () => discord.interactionMessages(id).original?.content ?? '';
      await expect.poll(() => ollama.stats.textsEmbedded, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(10);
      const killed = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGKILL');
      await killed;
      expect(reply()).not.toMatch(/^6 files:/);

      const second = await serve();
      running = second.child;
      await expect
        .poll(reply, { timeout: 60_000 })
        .toMatch(/^6 files: /)
        .catch((error: unknown) => {
          throw new Error(`${String(error)}\nfirst run:\n${first.stderr()}\nsecond run:\n${second.stderr()}`);
        });
      expect(second.stderr()).toMatch(/resuming an \/ingest in \d+/);
      expect(/.*can no longer be edited.*/u.exec(second.stderr())?.[0]).toBeUndefined();
      // Finished in the command's own reply (a channel message of its own): nothing else posted, no follow-up.
      const original = discord.interactionMessages(id).original!;
      expect(
        discord
          .messages(CHANNEL)
          .filter((m) => m.author.id === discord.botId)
          .map((m) => m.id),
      ).toEqual([original.id]);
      expect(discord.interactionMessages(id).followups).toHaveLength(0);
      const stopped = new Promise<number | null>((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      expect(await stopped).toBe(0);
      running = undefined;

      await expectIndexedOnce(env, `discord:${GUILD}:${CHANNEL}`, FILES);
    } finally {
      running?.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
