import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { startCli } from './support/cli.js';
import { testEnv } from './support/harness.js';

const GUILD = '1500000000000000001';
const CHANNEL = '1500000000000000002';
const ANN = { id: '1500000000000000003', username: 'ann' };

describe('two citebot processes on one state, one Discord bot', () => {
  let ollama: OllamaDouble;
  let discord: DiscordDouble;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    discord = await DiscordDouble.start();
    discord.addGuild({ id: GUILD, name: 'g', channels: [{ id: CHANNEL, name: 'alpha' }], members: [ANN] });
  });
  afterAll(async () => {
    await discord.close();
    await ollama.close();
  });

  it('one holds the gateway, the other stands by and takes over after kill -9; every mention answered once', async () => {
    const { env, dataDir } = testEnv(ollama.url, {
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      LEASE_TTL_S: '2',
    });
    const children: ChildProcess[] = [];
    const serve = () => {
      const child = startCli(['serve'], env);
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d));
      return { child, stderr: () => stderr };
    };
    const replies = (question: { id: string }) => discord.messages(CHANNEL).filter((m) => m.message_reference?.message_id === question.id);
    const mention = () =>
      discord.sendMessage({ channelId: CHANNEL, guildId: GUILD, author: ANN, content: 'Anything here?', mentionsBot: true });
    try {
      const a = serve();
      await expect.poll(a.stderr, { timeout: 30_000 }).toMatch(/discord: connected as/);
      const b = serve();
      await expect.poll(b.stderr, { timeout: 30_000 }).toMatch(/discord gateway: another citebot process holds it; standing by/);
      expect(discord.sessions.filter((s) => s.connected)).toHaveLength(1);

      const first = mention();
      await expect.poll(() => replies(first)[0]?.content ?? '', { timeout: 20_000 }).toMatch(/No files are indexed here yet/);

      a.child.kill('SIGKILL');
      await expect.poll(b.stderr, { timeout: 30_000 }).toMatch(/discord: connected as/);
      expect(b.stderr()).toMatch(/discord gateway: taking over from a citebot process that stopped/);
      expect(discord.sessions.filter((s) => s.connected)).toHaveLength(1);

      const second = mention();
      await expect.poll(() => replies(second)[0]?.content ?? '', { timeout: 20_000 }).toMatch(/No files are indexed here yet/);
      // Give a duplicate time to show up: none does.
      await new Promise((r) => setTimeout(r, 1500));
      expect(replies(first)).toHaveLength(1);
      expect(replies(second)).toHaveLength(1);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
