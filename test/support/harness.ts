import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadSettings, redactSecrets, type Settings } from '../../src/config.js';
import { configureLog } from '../../src/log.js';
import { CitebotCore } from '../../src/core.js';
import type { IngestSource } from '../../src/ingest/indexer.js';
import { ask } from '../../src/app/ask.js';
import type { Answer } from '../../src/chains/types.js';
import { OllamaDouble } from '../doubles/ollama-double.js';

/** Environment for a citebot under test: the shared real Chroma, a private prefix and data dir, the double. */
export function testEnv(ollamaUrl: string, overrides: Record<string, string> = {}): { env: NodeJS.ProcessEnv; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'citebot-test-'));
  return {
    dataDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      CHROMA_URL: inject('chromaUrl'),
      CHROMA_COLLECTION_PREFIX: 't' + randomBytes(5).toString('hex'),
      OLLAMA_BASE_URL: ollamaUrl,
      EMBED_MAX_RETRIES: '1',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'error',
      // No reranker model can be downloaded here; tests that rerank choose theirs.
      RERANKER: 'none',
      ...overrides,
    },
  };
}

export interface TestCore {
  core: CitebotCore;
  settings: Settings;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function createTestCore(double: OllamaDouble, overrides: Record<string, string> = {}): Promise<TestCore> {
  const { env, dataDir } = testEnv(double.url, overrides);
  const settings = loadSettings({ env, dotenvDir: false });
  configureLog({ level: settings.LOG_LEVEL, redact: (line) => redactSecrets(line, settings) });
  const core = new CitebotCore(settings);
  return {
    core,
    settings,
    dataDir,
    env,
    close: async () => {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An in-memory source, as a chat adapter would build one from a downloaded file. */
export function memorySource(scope: string, source: string, content: string | Uint8Array, docId = `doc-${source}`): IngestSource {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { scope, docId, source, url: `https://files.example/${encodeURIComponent(source)}`, size: bytes.length, read: async () => bytes };
}

/** The final answer of `ask` in a scope (through the command layer every surface uses). */
export async function answerIn(core: CitebotCore, question: string, scope: string): Promise<Answer> {
  for await (const e of ask(core, { question, scope })) if (e.type === 'answer') return e.answer;
  throw new Error('the answer stream ended without an answer');
}

/** Every source an answer shows: cited, then also relevant. */
export const answerSources = (a: Answer) => [...a.citations, ...a.alsoRelevant];

/** The text of every chunk indexed in a scope. */
export const scopeTexts = async (core: CitebotCore, scope: string): Promise<string[]> => {
  const chunks = await Promise.all((await core.index.documents([scope])).map((d) => core.index.chunksOf(scope, d.docId)));
  return chunks.flat().map((c) => c.text);
};
