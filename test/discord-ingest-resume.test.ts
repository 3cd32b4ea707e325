import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { startCli } from './support/cli.js';
import { testEnv } from './support/harness.js';

const GUILD = '1600000000000000001';
const CHANNEL = '1600000000000000002';
const ANN = { id: '1600000000000000003', username: 'ann' };
const FILES = 6;
/** A report of six paragraphs: several chunks at CHUNK_TOKENS=40, each embedded slowly. */
const report = (i: number) =>
  `# Report ${i}\n\n${Array.from({ length: 6 }, (_, p) => `Region ${p} of report ${i} shipped ${i * 100 + p} units in the quarter.`).join('\n\n')}\n`;

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
      attachments: [{ filename: `report-${i}.md`, bytes: report(i) }],
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
    const serve = async (): Promise<{ child: ChildProcess; stderr: () => string }> => {
      const child = startCli(['serve'], env);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d));
      await expect.poll(() => stderr, { timeout: 30_000 }).toMatch(/discord: connected as/);
      return { child, stderr: () => stderr };
    };
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

      const core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
      await core.openIndex();
      try {
        const docs = await core.index.documents([`discord:${GUILD}:${CHANNEL}`]);
        expect(docs.map((d) => d.status)).toEqual(Array(FILES).fill('indexed'));
        const chunks = docs.reduce((n, d) => n + d.chunkCount, 0);
        expect(await core.index.chunkCount()).toBe(chunks);
        expect(await core.index.vectorCount()).toBe(chunks);
      } finally {
        await core.close();
      }
    } finally {
      running?.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
