import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { SlackDouble } from './doubles/slack-double.js';
import { freePort } from './support/free-port.js';
import { testEnv } from './support/harness.js';
import { expectIndexedOnce, serveUntil, sixParagraphReport } from './support/interrupted-serve.js';
import { slashCommand } from './support/slack-requests.js';

const FILES = 6;

describe('a Slack /ingest interrupted by kill -9', () => {
  let ollama: OllamaDouble;
  let slack: SlackDouble;
  beforeAll(async () => {
    ollama = await OllamaDouble.start({ embedDelayMsPerText: 120 });
    slack = await SlackDouble.start({ teamId: 'T0RES' });
    slack.addChannel({ id: 'CRES', name: 'reports' });
    for (let i = 0; i < FILES; i++)
      slack.addFile({ id: `F${i}`, name: `report-${i}.md`, channel: 'CRES', bytes: sixParagraphReport(i), user: 'U1' });
  });
  afterAll(async () => {
    await slack.close();
    await ollama.close();
  });

  it('resumes on the next start: every file indexed once, the same message ends with one summary, no orphan vectors', async () => {
    const port = await freePort();
    const { env, dataDir } = testEnv(ollama.url, {
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'resume-secret',
      SLACK_API_URL: slack.apiUrl,
      SLACK_PORT: String(port),
      CHUNK_TOKENS: '40',
      CHUNK_OVERLAP_TOKENS: '0',
      EMBED_BATCH_SIZE: '2',
      INDEX_MESSAGES: 'false',
      LEASE_TTL_S: '2',
    });
    const serve = () => serveUntil(env, /slack: connected to .* \(HTTP on port \d+/);
    let running: ChildProcess | undefined;
    try {
      const first = await serve();
      running = first.child;
      await slashCommand(`http://127.0.0.1:${port}/slack/events`, 'resume-secret', {
        command: '/ingest',
        text: '',
        team_id: 'T0RES',
        channel_id: 'CRES',
        user_id: 'U1',
        response_url: slack.responseUrl(),
      });
      // Midway: some files' chunks embedded, not all.
      await expect.poll(() => ollama.stats.textsEmbedded, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(10);
      const killed = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGKILL');
      await killed;
      const progress = slack.messages('CRES').filter((m) => m.bot_id);
      expect(progress).toHaveLength(1);
      expect(progress[0]!.text).not.toMatch(/6 files:/);

      const second = await serve();
      running = second.child;
      await expect
        .poll(() => slack.messages('CRES').find((m) => m.ts === progress[0]!.ts)?.text ?? '', { timeout: 60_000 })
        .toMatch(/6 files:/)
        .catch((error: unknown) => {
          throw new Error(`${String(error)}\nfirst run:\n${first.stderr()}\nsecond run:\n${second.stderr()}`);
        });
      expect(second.stderr()).toMatch(/resuming an \/ingest in CRES/);
      // The summary went into the same message: no second message, no second summary.
      expect(slack.messages('CRES').filter((m) => m.bot_id)).toHaveLength(1);
      expect(slack.callsTo('chat.postMessage').filter((c) => /files?:/.test(String(c.args.text)))).toHaveLength(0);
      const stopped = new Promise<number | null>((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      expect(await stopped).toBe(0);
      running = undefined;

      await expectIndexedOnce(env, 'slack:T0RES:CRES', FILES);
    } finally {
      running?.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
