import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedChroma } from '../../src/store/chroma-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    chromaUrl: string;
  }
}

/** Start one real Chroma server (the chromadb package's `chroma run`) in a temporary directory. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'citebot-chroma-'));
  const chroma = await startEmbeddedChroma(dir, { startupTimeoutMs: 60_000 });
  project.provide('chromaUrl', chroma.url);
  return async () => {
    await chroma.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
