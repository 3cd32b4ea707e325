import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { loadSettings } from '../../src/config.js';
import { CitebotCore } from '../../src/core.js';
import { startCli } from './cli.js';

/** A report of six paragraphs: several chunks at CHUNK_TOKENS=40, so a slow embedder leaves time to kill midway. */
export const sixParagraphReport = (i: number) =>
  `# Report ${i}\n\n${Array.from({ length: 6 }, (_, p) => `Region ${p} of report ${i} shipped ${i * 100 + p} units in the quarter.`).join('\n\n')}\n`;

/** `citebot serve` in a process of its own, once its log says `ready` (the adapter connected). */
export async function serveUntil(env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = startCli(['serve'], env);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  await expect.poll(() => stderr, { timeout: 30_000 }).toMatch(ready);
  return { child, stderr: () => stderr };
}

/** After the processes stopped: every file of `scope` indexed, and as many vectors as chunks (no orphans). */
export async function expectIndexedOnce(env: NodeJS.ProcessEnv, scope: string, files: number): Promise<void> {
  const core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
  await core.openIndex();
  try {
    const docs = await core.index.documents([scope]);
    expect(docs.map((d) => d.status)).toEqual(Array(files).fill('indexed'));
    const chunks = docs.reduce((n, d) => n + d.chunkCount, 0);
    expect(chunks).toBeGreaterThanOrEqual(files * 2);
    expect(await core.index.chunkCount()).toBe(chunks);
    expect(await core.index.vectorCount()).toBe(chunks);
  } finally {
    await core.close();
  }
}
