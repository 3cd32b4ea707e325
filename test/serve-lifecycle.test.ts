import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli, startCli } from './support/cli.js';
import { freePort } from './support/free-port.js';
import { testEnv } from './support/harness.js';

type Dependency = { state: 'ready' | 'down' | 'checking'; detail: string };
type Health = { ok: boolean; ready: boolean; dependencies: Record<'embeddings' | 'chat' | 'chroma', Dependency> };

/** A running `citebot serve`, its log so far, and how to stop it. */
function serve(env: NodeJS.ProcessEnv): { child: ChildProcess; log: () => string; stop: () => Promise<number | null> } {
  const child = startCli(['serve'], env);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    log: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const health = (port: number): Promise<Health | undefined> =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.json() as Promise<Health>,
    () => undefined,
  );

/** Still running after a few seconds of doing nothing (the event loop had nothing else to hold it). */
async function staysUp(child: ChildProcess, ms = 3000): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  expect(child.exitCode, 'serve exited by itself').toBeNull();
  expect(child.signalCode).toBeNull();
}

describe('citebot serve runs until it is stopped and recovers without a restart', () => {
  let ollama: OllamaDouble;
  const dirs: string[] = [];
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterAll(async () => {
    await ollama.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('an embedded Chroma that cannot start (DATA_DIR/chroma is a file) is started once the file is gone', async () => {
    const port = await freePort();
    const { env, dataDir } = testEnv(ollama.url, { HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    delete env.CHROMA_URL;
    writeFileSync(join(dataDir, 'chroma'), 'not a folder');
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 90_000 }).toMatch(/core not ready yet/);
      expect(await health(port)).toMatchObject({ ok: true, ready: false });
      unlinkSync(join(dataDir, 'chroma'));
      // serve tries again every 15 s; the embedded server then takes a few seconds to start.
      await expect.poll(() => health(port), { timeout: 60_000, interval: 500 }).toMatchObject({ ok: true, ready: true });
      expect(s.log()).toMatch(/core ready/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 200_000);

  it('with no adapter and HEALTH_PORT=0 it stays up, and SIGTERM stops it with 0', async () => {
    const { env, dataDir } = testEnv(ollama.url, { HEALTH_PORT: '0', LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 90_000 }).toMatch(/core ready/);
      expect(s.log()).toContain('health endpoint off (HEALTH_PORT=0)');
      await staysUp(s.child);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 150_000);

  it('with the health port taken it says so and stays up', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const { port } = busy.address() as { port: number };
    const { env, dataDir } = testEnv(ollama.url, { HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 90_000 }).toMatch(/core ready/);
      expect(s.log()).toMatch(new RegExp(`health endpoint not started: .*EADDRINUSE.*\\(HEALTH_PORT=${port}\\)`));
      await staysUp(s.child);
    } finally {
      expect(await s.stop()).toBe(0);
      busy.close();
    }
  }, 150_000);

  it('with an index already built and Ollama down it is not ready, names what is down, and warns once down and once back', async () => {
    const later = await OllamaDouble.start();
    const port = await freePort();
    const { env, dataDir } = testEnv(later.url, { HEALTH_PORT: String(port), HEALTH_CHECK_S: '1', LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    writeFileSync(join(dataDir, 'notes.md'), '# Notes\n\nThe lantern room opens at nine.\n');
    expect((await runCli(['ingest', join(dataDir, 'notes.md')], env)).code).toBe(0);
    await later.down();
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 90_000 }).toMatch(/embedding model down: .*not reachable/);
      const down = await health(port);
      expect(down).toMatchObject({
        ok: true,
        ready: false,
        dependencies: { embeddings: { state: 'down' }, chat: { state: 'down' }, chroma: { state: 'ready' } },
      });
      expect(down!.dependencies.chat.detail).toMatch(/Ollama is not reachable/);
      expect(s.log()).not.toMatch(/core ready/);
      // Several probe rounds while it stays down: still one warning each.
      await new Promise((r) => setTimeout(r, 3000));
      await later.up();
      await expect
        .poll(() => health(port), { timeout: 60_000, interval: 500 })
        .toMatchObject({
          ready: true,
          dependencies: { embeddings: { state: 'ready' }, chat: { state: 'ready' }, chroma: { state: 'ready' } },
        });
      await expect.poll(() => s.log(), { timeout: 5000 }).toMatch(/core ready/);
      await new Promise((r) => setTimeout(r, 2500));
      const log = s.log();
      expect(log.match(/embedding model down/g)).toHaveLength(1);
      expect(log.match(/chat model down/g)).toHaveLength(1);
      expect(log.match(/embedding model back/g)).toHaveLength(1);
      expect(log.match(/chat model back/g)).toHaveLength(1);
      expect(log).not.toMatch(/Chroma (down|back)/);
    } finally {
      expect(await s.stop()).toBe(0);
      await later.close();
    }
  }, 200_000);

  it('with a chat model that is not pulled it is not ready, and says which model to pull', async () => {
    const port = await freePort();
    const { env, dataDir } = testEnv(ollama.url, {
      HEALTH_PORT: String(port),
      HEALTH_CHECK_S: '1',
      LOG_LEVEL: 'info',
      CHAT_MODEL: 'absent-model:7b',
    });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect
        .poll(() => s.log(), { timeout: 90_000 })
        .toMatch(/chat model down: absent-model:7b is not pulled .*ollama pull absent-model:7b/);
      await expect
        .poll(() => health(port), { timeout: 10_000, interval: 500 })
        .toMatchObject({
          ok: true,
          ready: false,
          dependencies: { embeddings: { state: 'ready' }, chat: { state: 'down' }, chroma: { state: 'ready' } },
        });
      expect(s.log()).not.toMatch(/core ready/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 150_000);

  it('with Ollama down it waits, becomes ready when Ollama comes up, and keeps running', async () => {
    const later = await OllamaDouble.start();
    await later.down();
    const port = await freePort();
    const { env, dataDir } = testEnv(later.url, { HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 90_000 }).toMatch(/core not ready yet: Ollama is not reachable/);
      expect(await health(port)).toMatchObject({ ok: true, ready: false });
      await later.up();
      // serve tries again every 15 s.
      await expect.poll(() => health(port), { timeout: 60_000, interval: 500 }).toMatchObject({ ok: true, ready: true });
      await staysUp(s.child);
      expect(await health(port)).toMatchObject({ ok: true, ready: true });
    } finally {
      expect(await s.stop()).toBe(0);
      await later.close();
    }
  }, 200_000);
});
