import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startChatAdapters, type ChatAdapter } from '../src/bots/chat-adapters.js';
import { CitebotError } from '../src/errors.js';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { SlackDouble } from './doubles/slack-double.js';
import { startCli } from './support/cli.js';
import { freePort } from './support/free-port.js';
import { createTestCore, testEnv } from './support/harness.js';
import { slashCommand } from './support/slack-requests.js';

describe('citebot serve with chat settings', () => {
  let ollama: OllamaDouble;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterAll(() => ollama.close());

  it('starts the Slack and Discord adapters, answers on both, and stops cleanly', async () => {
    const slack = await SlackDouble.start({ teamId: 'T0SERVE' });
    slack.addChannel({ id: 'CA', name: 'alpha' });
    const discord = await DiscordDouble.start();
    discord.addGuild({
      id: '1400000000000000001',
      name: 'g',
      channels: [{ id: '1400000000000000002', name: 'alpha' }],
      members: [{ id: '1400000000000000003', username: 'ann' }],
    });
    const slackPort = await freePort();
    const { env, dataDir } = testEnv(ollama.url, {
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'serve-secret',
      SLACK_API_URL: slack.apiUrl,
      SLACK_PORT: String(slackPort),
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
    });
    const child = startCli(['serve'], env);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    try {
      await expect.poll(() => stderr, { timeout: 30_000 }).toMatch(/slack: connected to Citebot Test as citebot \(HTTP on port \d+/);
      await expect.poll(() => stderr, { timeout: 30_000 }).toMatch(/discord: connected as/);

      const responseUrl = slack.responseUrl();
      const acked = await slashCommand(`http://127.0.0.1:${slackPort}/slack/events`, 'serve-secret', {
        command: '/ask',
        text: 'Anything here?',
        team_id: 'T0SERVE',
        channel_id: 'CA',
        user_id: 'U1',
        response_url: responseUrl,
      });
      expect(acked.status).toBe(200);
      await slack.waitFor(
        (c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && /No files are indexed here yet/.test(String(c.args.text)),
        20_000,
      );

      const question = discord.sendMessage({
        channelId: '1400000000000000002',
        guildId: '1400000000000000001',
        author: { id: '1400000000000000003', username: 'ann' },
        content: 'Anything here?',
        mentionsBot: true,
      });
      await expect
        .poll(() => discord.messages('1400000000000000002').find((m) => m.message_reference?.message_id === question.id)?.content ?? '', {
          timeout: 20_000,
        })
        .toMatch(/No files are indexed here yet/);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await slack.close();
      await discord.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('retries an adapter that cannot connect, but reports a setup problem once without retrying', async () => {
    const t = await createTestCore(ollama);
    let flaky = 0;
    let broken = 0;
    const adapters: ChatAdapter[] = [
      {
        name: 'Flaky',
        notConfigured: () => undefined,
        start: async () => {
          if (++flaky < 3) throw new Error('connect ECONNREFUSED');
          return { name: 'Flaky', stop: async () => {} };
        },
      },
      {
        name: 'Broken',
        notConfigured: () => undefined,
        start: async () => {
          broken++;
          throw new CitebotError('platform_rejected', 'enable the Message Content intent', { retryable: false });
        },
      },
    ];
    const running = startChatAdapters(t.core, adapters, 20);
    try {
      await expect.poll(() => running.running.map((a) => a.name)).toEqual(['Flaky']);
      expect(flaky).toBe(3);
      await new Promise((r) => setTimeout(r, 200));
      expect(broken).toBe(1);
    } finally {
      await running.stop();
      await t.close();
    }
  });
});
