import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { discordAdapter, slackAdapter, startChatAdapters } from '../src/bots/chat-adapters.js';
import { checkDiscord, checkSlack } from '../src/bots/platform-checks.js';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { SlackDouble } from './doubles/slack-double.js';
import { runCli } from './support/cli.js';
import { freePort } from './support/free-port.js';
import { createTestCore, testEnv, type TestCore } from './support/harness.js';

/** Every line citebot logs while `work` runs (the logger writes to stderr). */
function captureLog(): { lines: () => string[]; restore: () => void } {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return { lines: () => written.join('').split('\n').filter(Boolean), restore: () => spy.mockRestore() };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a chat platform that rejects citebot or cannot be reached', () => {
  let ollama: OllamaDouble;
  let slack: SlackDouble;
  let discord: DiscordDouble;
  let closedUrl: string;
  let t: TestCore | undefined;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    slack = await SlackDouble.start();
    discord = await DiscordDouble.start();
    closedUrl = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    await slack.close();
    await discord.close();
    await ollama.close();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const slackCore = async (env: Record<string, string>) =>
    (t = await createTestCore(ollama, { SLACK_SIGNING_SECRET: 's', SLACK_PORT: String(await freePort()), LOG_LEVEL: 'info', ...env }));

  it.each([
    ['invalid_auth', undefined, /Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)\. Fix: copy the Bot User OAuth Token/],
    ['not_authed', 'not_authed', /Slack rejected SLACK_BOT_TOKEN \(not_authed\)\. Fix: copy the Bot User OAuth Token/],
    ['account_inactive', 'account_inactive', /\(account_inactive\)\. Fix: the app was uninstalled or its token revoked: reinstall it/],
    ['token_revoked', 'token_revoked', /\(token_revoked\)\. Fix: the app was uninstalled or its token revoked/],
    ['missing_scope', 'missing_scope', /\(missing_scope\)\. Fix: add the bot scope under "OAuth & Permissions"/],
  ])('Slack %s: one line with the fix, auth.test called once, no retry loop', async (_name, injected, expected) => {
    await slackCore({ SLACK_BOT_TOKEN: injected ? slack.botToken : 'xoxb-wrong', SLACK_API_URL: slack.apiUrl });
    if (injected) slack.failNext('auth.test', injected);
    const before = slack.callsTo('auth.test').length;
    const captured = captureLog();
    const adapters = startChatAdapters(t!.core, [slackAdapter], 20);
    try {
      await expect.poll(() => captured.lines().filter((l) => l.includes('Slack: not started'))).toHaveLength(1);
      await settle(300);
      const lines = captured.lines().filter((l) => /slack/i.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ error Slack: not started: /);
      expect(lines[0]).toMatch(expected);
      expect(slack.callsTo('auth.test').length - before).toBe(1);
    } finally {
      captured.restore();
      await adapters.stop();
    }
  });

  it('Slack offline: "not started (unreachable: …), retrying in N s" once per attempt, without the HTTP client’s own retries', async () => {
    await slackCore({ SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: `${closedUrl}/api/` });
    const captured = captureLog();
    const adapters = startChatAdapters(t!.core, [slackAdapter], 50);
    try {
      await expect
        .poll(() => captured.lines().filter((l) => l.includes('Slack: not started')).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(3);
      await adapters.stop();
      const lines = captured.lines().filter((l) => /slack/i.test(l));
      for (const line of lines)
        expect(line).toMatch(
          / warn {2}Slack: not started \(unreachable: ECONNREFUSED at http:\/\/127\.0\.0\.1:\d+\/api\/\), retrying in \d+ s$/,
        );
      expect(lines.join('\n')).not.toMatch(/http request failed|fetch failed/);
    } finally {
      captured.restore();
      await adapters.stop();
    }
  });

  it('Discord: a rejected token is one line with the fix and one login attempt', async () => {
    t = await createTestCore(ollama, { DISCORD_TOKEN: 'MTQ.wrong.token', DISCORD_API_URL: discord.apiUrl, LOG_LEVEL: 'info' });
    discord.clearRecords();
    const before = discord.requests.length;
    const captured = captureLog();
    const adapters = startChatAdapters(t.core, [discordAdapter], 20);
    try {
      await expect.poll(() => captured.lines().filter((l) => l.includes('Discord: not started'))).toHaveLength(1);
      await settle(300);
      const lines = captured.lines().filter((l) => /discord/i.test(l));
      expect(lines).toEqual([
        expect.stringMatching(/ error Discord: not started: Discord rejected DISCORD_TOKEN .*Fix: copy the bot token/),
      ]);
      expect(discord.requests.slice(before).filter((r) => r.path.includes('/gateway'))).toHaveLength(1);
    } finally {
      captured.restore();
      await adapters.stop();
    }
  });

  it('Discord offline: "not started (unreachable: …), retrying in N s"', async () => {
    t = await createTestCore(ollama, { DISCORD_TOKEN: discord.token, DISCORD_API_URL: `${closedUrl}/api`, LOG_LEVEL: 'info' });
    const captured = captureLog();
    const adapters = startChatAdapters(t.core, [discordAdapter], 50);
    try {
      await expect
        .poll(() => captured.lines().filter((l) => l.includes('Discord: not started')).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
      await adapters.stop();
      for (const line of captured.lines().filter((l) => /discord/i.test(l)))
        expect(line).toMatch(
          / warn {2}Discord: not started \(unreachable: ECONNREFUSED at http:\/\/127\.0\.0\.1:\d+\/api\), retrying in \d+ s$/,
        );
    } finally {
      captured.restore();
      await adapters.stop();
    }
  });

  it('doctor tells a rejected token from a platform it cannot reach, for Slack and Discord', async () => {
    const settingsWith = async (env: Record<string, string>) => (t = await createTestCore(ollama, env)).settings;

    const slackRejected = await checkSlack(
      await settingsWith({ SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_APP_TOKEN: 'xapp-x', SLACK_API_URL: slack.apiUrl }),
    );
    await t!.close();
    const slackOffline = await checkSlack(
      await settingsWith({ SLACK_BOT_TOKEN: slack.botToken, SLACK_APP_TOKEN: 'xapp-x', SLACK_API_URL: `${closedUrl}/api/` }),
    );
    await t!.close();
    expect(slackRejected).toMatchObject({ status: 'failed', detail: 'Slack rejected SLACK_BOT_TOKEN (invalid_auth)' });
    expect(slackRejected.fix).toMatch(/Bot User OAuth Token/);
    expect(slackOffline).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/^Slack is unreachable: ECONNREFUSED at http:\/\/127/),
    });
    expect(slackOffline.fix).toMatch(/check the network/);
    expect(slackOffline.fix).not.toMatch(/token/i);

    const discordRejected = await checkDiscord(await settingsWith({ DISCORD_TOKEN: 'MTQ.wrong.token', DISCORD_API_URL: discord.apiUrl }));
    await t!.close();
    const discordOffline = await checkDiscord(await settingsWith({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: `${closedUrl}/api` }));
    expect(discordRejected).toMatchObject({ status: 'failed', detail: 'Discord rejected DISCORD_TOKEN (401 Unauthorized)' });
    expect(discordRejected.fix).toMatch(/Reset Token/);
    expect(discordOffline).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/^Discord is unreachable: ECONNREFUSED at http:\/\/127/),
    });
    expect(discordOffline.fix).toMatch(/check the network/);
  });

  it('`citebot discord register`: no token exits 2; Discord out of reach is one line and exits 3', async () => {
    const { env, dataDir } = testEnv(ollama.url);
    try {
      const noToken = await runCli(['discord', 'register'], env);
      expect(noToken.code).toBe(2);
      expect(noToken.stderr.trim()).toMatch(/DISCORD_TOKEN is not set/);

      const offline = await runCli(['discord', 'register'], {
        ...env,
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: 'http://discord.invalid/api',
      });
      expect(offline.code).toBe(3);
      const lines = offline.stderr.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(
          /^citebot: Discord is unreachable: (ENOTFOUND|EAI_AGAIN) at http:\/\/discord\.invalid\/api\. Fix: check the network/,
        ),
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
