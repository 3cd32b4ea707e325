import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, describe, expect, it } from 'vitest';
import { isChromaAlive, startEmbeddedChroma } from '../src/store/chroma-server.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'citebot-embedded-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const clientFor = (url: string) => new ChromaClient({ host: '127.0.0.1', port: Number(new URL(url).port) });

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('embedded Chroma server', () => {
  it('keeps its data across a restart, and a second process shares the running server', async () => {
    const dataDir = tempDir();
    const first = await startEmbeddedChroma(dataDir);
    expect(first.owned).toBe(true);
    const collection = await clientFor(first.url).createCollection({ name: 'kept', embeddingFunction: null });
    await collection.add({
      ids: ['a', 'b'],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      documents: ['x', 'y'],
    });

    const shared = await startEmbeddedChroma(dataDir);
    expect(shared).toMatchObject({ url: first.url, owned: false });

    await first.stop();
    expect(await isChromaAlive(first.url)).toBe(false);

    const second = await startEmbeddedChroma(dataDir);
    try {
      const again = await clientFor(second.url).getCollection({ name: 'kept', embeddingFunction: undefined });
      expect(await again.count()).toBe(2);
    } finally {
      await second.stop();
    }
  });

  it('stops when the citebot process that started it is killed with SIGKILL', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/chroma-child.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const { url } = JSON.parse(line) as { url: string };
    expect(await isChromaAlive(url)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitFor(async () => !(await isChromaAlive(url, 300)), 15_000)).toBe(true);
  });
});
