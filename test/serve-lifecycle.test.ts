import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { OllamaDouble } from './doubles/ollama-double.js';
import { startCli } from './support/cli.js';
import { freePort } from './support/free-port.js';
import { testEnv } from './support/harness.js';

type Health = { ok: boolean; ready: boolean };

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
      await expect.poll(() => s.log(), { timeout: 30_000 }).toMatch(/core not ready yet/);
      expect(await health(port)).toEqual({ ok: true, ready: false });
      unlinkSync(join(dataDir, 'chroma'));
      // serve tries again every 15 s; the embedded server then takes a few seconds to start.
      await expect.poll(() => health(port), { timeout: 60_000, interval: 500 }).toEqual({ ok: true, ready: true });
      expect(s.log()).toMatch(/core ready/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 120_000);

  it('with no adapter and HEALTH_PORT=0 it stays up, and SIGTERM stops it with 0', async () => {
    const { env, dataDir } = testEnv(ollama.url, { HEALTH_PORT: '0', LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 30_000 }).toMatch(/core ready/);
      expect(s.log()).toContain('health endpoint off (HEALTH_PORT=0)');
      await staysUp(s.child);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 60_000);

  it('with the health port taken it says so and stays up', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const { port } = busy.address() as { port: number };
    const { env, dataDir } = testEnv(ollama.url, { HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 30_000 }).toMatch(/core ready/);
      expect(s.log()).toMatch(new RegExp(`health endpoint not started: .*EADDRINUSE.*\\(HEALTH_PORT=${port}\\)`));
      await staysUp(s.child);
    } finally {
      expect(await s.stop()).toBe(0);
      busy.close();
    }
  }, 60_000);

  it('with Ollama down it waits, becomes ready when Ollama comes up, and keeps running', async () => {
    const later = await OllamaDouble.start();
    await later.down();
    const port = await freePort();
    const { env, dataDir } = testEnv(later.url, { HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    dirs.push(dataDir);
    const s = serve(env);
    try {
      await expect.poll(() => s.log(), { timeout: 30_000 }).toMatch(/core not ready yet: Ollama is not reachable/);
      expect(await health(port)).toEqual({ ok: true, ready: false });
      await later.up();
      // serve tries again every 15 s.
      await expect.poll(() => health(port), { timeout: 60_000, interval: 500 }).toEqual({ ok: true, ready: true });
      await staysUp(s.child);
      expect(await health(port)).toEqual({ ok: true, ready: true });
    } finally {
      expect(await s.stop()).toBe(0);
      await later.close();
    }
  }, 120_000);
});
