import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { CitebotError } from '../errors.js';
import { log } from '../log.js';

/**
 * An embedded Chroma server: the `chroma run` that ships in the chromadb npm package, on a free
 * loopback port, with its data under DATA_DIR/chroma so it survives restarts.
 *
 * It runs under a tiny supervisor process that kills Chroma when its stdin closes, which happens
 * when citebot exits for any reason, kill -9 included: no orphaned server keeps the data locked.
 * A second citebot process on the same DATA_DIR (say `citebot ingest` while `citebot serve` runs)
 * finds the running server through server.json and shares it instead of starting another.
 */
export interface EmbeddedChroma {
  url: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

// Runs as `node -e`: start Chroma, forward its exit, and stop it when the parent goes away.
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const [cli, ...args] = process.argv.slice(1);
const chroma = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = () => {
  if (stopping) return; stopping = true;
  chroma.kill('SIGTERM');
  setTimeout(() => chroma.kill('SIGKILL'), 5000).unref();
};
process.stdin.on('end', stop); process.stdin.on('error', stop); process.stdin.resume();
process.on('SIGTERM', stop); process.on('SIGINT', stop);
chroma.on('exit', (code) => process.exit(code ?? 0));
`;

interface ServerInfo {
  pid: number;
  port: number;
}

function chromaCliPath(): string {
  const require = createRequire(import.meta.url);
  // The package's exports hide dist/cli.mjs; find it next to the resolved entry point.
  const entry = require.resolve('chromadb');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'dist', 'cli.mjs');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function isChromaAlive(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(new URL('/api/v2/heartbeat', url), { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

async function reuseRunning(infoFile: string): Promise<EmbeddedChroma | undefined> {
  if (!existsSync(infoFile)) return undefined;
  try {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as ServerInfo;
    const url = `http://127.0.0.1:${info.port}`;
    // Its heartbeat, not its pid, says it is alive: pids recur (containers) and mean nothing elsewhere.
    if (await isChromaAlive(url)) {
      log.debug('sharing the embedded Chroma server started by another citebot process', { url });
      return { url, owned: false, stop: async () => {} };
    }
  } catch {
    // A torn or stale file: start a fresh server below.
  }
  return undefined;
}

export async function startEmbeddedChroma(
  dataDir: string,
  options: { startupTimeoutMs?: number; port?: number } = {},
): Promise<EmbeddedChroma> {
  const dir = join(dataDir, 'chroma');
  mkdirSync(dir, { recursive: true });
  const infoFile = join(dir, 'server.json');
  const running = await reuseRunning(infoFile);
  if (running) return running;

  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFd = openSync(join(dir, 'server.log'), 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      ['-e', SUPERVISOR, chromaCliPath(), 'run', '--path', dir, '--host', '127.0.0.1', '--port', String(port)],
      {
        stdio: ['pipe', logFd, logFd],
      },
    );
  } finally {
    closeSync(logFd);
  }
  let exited = false;
  child.on('exit', () => (exited = true));
  // The pipe must not keep citebot alive; its closing is the supervisor's signal.
  (child.stdin as unknown as { unref?: () => void })?.unref?.();
  child.unref();

  const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
  while (!(await isChromaAlive(url, 500))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      const tail = existsSync(join(dir, 'server.log'))
        ? readFileSync(join(dir, 'server.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')
        : '';
      throw new CitebotError(
        'chroma_unavailable',
        `The embedded Chroma server did not start (${exited ? 'it exited' : 'no heartbeat'}): ${tail || 'no output'}`,
        { fix: `check ${join(dir, 'server.log')}, or set CHROMA_URL to a running Chroma` },
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(infoFile, JSON.stringify({ pid: child.pid ?? 0, port } satisfies ServerInfo));
  log.debug('embedded Chroma server started', { url, path: dir });

  const killNow = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.once('exit', killNow);
  return {
    url,
    owned: true,
    stop: async () => {
      process.removeListener('exit', killNow);
      if (existsSync(infoFile)) rmSync(infoFile, { force: true });
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 8000))]);
    },
  };
}
