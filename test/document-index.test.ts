import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import { isCitebotError } from '../src/errors.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, type TestCore } from './support/harness.js';

const HANDBOOK = `# Handbook

## Travel

Employees book trains for trips under 500 km. Flights need approval from a director.

## Expenses

Receipts are due within 30 days of the trip. The reimbursement code is EXP-4471.
`;

const SECRET_PLAN = `# Plan

The merger with Globex closes in March. The code name is BLUE HERON.
`;

describe('DocumentIndex: Chroma, keyword index and ledger in step', () => {
  let double: OllamaDouble;
  let t: TestCore;

  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('indexes chunks with their metadata in Chroma, the keyword index and the ledger', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    const result = await indexer.ingest(memorySource('slack:T1:C1', 'handbook.md', HANDBOOK));
    expect(result).toMatchObject({ status: 'indexed', source: 'handbook.md' });
    expect(result.chunks).toBeGreaterThan(0);

    const index = await t.core.openIndex();
    const ids = await index.chunkIdsOf('slack:T1:C1', 'doc-handbook.md');
    expect(ids).toHaveLength(result.chunks);
    expect(await index.vectorIds({ docId: 'doc-handbook.md' })).toEqual(expect.arrayContaining(ids));
    expect(await index.vectorCount()).toBe(result.chunks);

    const [chunk] = await index.chunks([(await index.keywordSearch('reimbursement code', ['slack:T1:C1'], 1))[0]!.id!]);
    expect(chunk!.text).toContain('EXP-4471');
    expect(chunk!.metadata).toMatchObject({
      scope: 'slack:T1:C1',
      source: 'handbook.md',
      section: 'Handbook > Expenses',
      mimeType: 'text/markdown',
    });

    const entry = (await index.document('slack:T1:C1', 'doc-handbook.md'))!;
    expect(entry).toMatchObject({ status: 'indexed', chunkCount: result.chunks, source: 'handbook.md' });
    expect(entry.contentHash).toMatch(/^[0-9a-f]{64}$/);

    // The collection is cosine space and remembers the model that built it.
    expect(await index.collectionMetadata()).toMatchObject({ embedModel: 'nomic-embed-text', dimension: 768 });
    // Documents were embedded with nomic's document prefix.
    expect(double.embedInputs.flat().some((input) => input.startsWith('search_document: handbook.md'))).toBe(true);
  });

  it('re-ingesting the same bytes reports unchanged and makes no embedding call', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    double.reset();
    const again = await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    expect(again.status).toBe('unchanged');
    expect(double.stats.requests.embed).toBe(0);
    expect(double.stats.textsEmbedded).toBe(0);
  });

  it('a new process re-ingesting unchanged files asks the model nothing: the dimension is read from the collection', async () => {
    t = await createTestCore(double);
    await (await t.core.indexer()).ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    const restarted = new CitebotCore(t.settings);
    try {
      double.reset();
      const again = await (await restarted.indexer()).ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
      expect(again.status).toBe('unchanged');
      // No probe embedding and no /api/show (which on a real Ollama is where the probe started).
      expect(double.stats.requests.embed).toBe(0);
      expect(double.stats.requests.show).toBe(0);
      expect(double.stats.textsEmbedded).toBe(0);
    } finally {
      await restarted.close();
    }
  });

  it('changed bytes replace the old chunks everywhere', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    const index = await t.core.openIndex();
    const before = await index.chunkIdsOf('local:default', 'doc-handbook.md');

    const changed = HANDBOOK.replace('EXP-4471', 'EXP-9000');
    const result = await indexer.ingest(memorySource('local:default', 'handbook.md', changed));
    expect(result.status).toBe('updated');
    const after = await index.chunkIdsOf('local:default', 'doc-handbook.md');
    expect(after.some((id) => before.includes(id))).toBe(false);
    expect((await index.vectorIds({ docId: 'doc-handbook.md' })).sort()).toEqual([...after].sort());
    const texts = async (q: string) =>
      (await index.chunks((await index.keywordSearch(q, ['local:default'], 5)).map((h) => h.id!))).map((c) => c.text);
    expect((await texts('EXP-4471')).join()).not.toContain('4471');
    expect((await texts('EXP-9000'))[0]).toContain('EXP-9000');
  });

  it('forget clears Chroma, the keyword index and the ledger', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    await indexer.ingest(memorySource('local:default', 'plan.md', SECRET_PLAN));
    const index = await t.core.openIndex();
    const removed = await index.forget('local:default', 'doc-handbook.md');
    expect(removed).toBeGreaterThan(0);
    expect(await index.document('local:default', 'doc-handbook.md')).toBeUndefined();
    expect(await index.chunkIdsOf('local:default', 'doc-handbook.md')).toEqual([]);
    expect(await index.vectorIds({ docId: 'doc-handbook.md' })).toEqual([]);
    // The other document is untouched.
    expect(await index.vectorIds({ docId: 'doc-plan.md' })).toHaveLength(1);
  });

  it('keeps scopes apart in both the keyword index and Chroma', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    await indexer.ingest(memorySource('slack:T1:C1', 'handbook.md', HANDBOOK));
    await indexer.ingest(memorySource('slack:T1:C2', 'plan.md', SECRET_PLAN));
    await indexer.ingest(memorySource('discord:G1:C1', 'plan.md', SECRET_PLAN));
    const index = await t.core.openIndex();

    expect(await index.keywordSearch('Globex merger heron', ['slack:T1:C1'], 10)).toEqual([]);
    const hits = await index.keywordSearch('Globex merger heron', ['slack:T1:C2'], 10);
    expect(hits.length).toBe(1);
    expect((await index.chunks(hits.map((h) => h.id!))).every((c) => c.metadata.scope === 'slack:T1:C2')).toBe(true);

    // The same file in two scopes is two documents with distinct chunk ids.
    const slackIds = await index.chunkIdsOf('slack:T1:C2', 'doc-plan.md');
    const discordIds = await index.chunkIdsOf('discord:G1:C1', 'doc-plan.md');
    expect(slackIds.some((id) => discordIds.includes(id))).toBe(false);

    // Dense search with the scope filter never returns another scope's chunks.
    const dense = await index.denseSearch('When does the merger with Globex close?', ['slack:T1:C1'], 10);
    expect(dense.length).toBeGreaterThan(0);
    expect(dense.every((doc) => doc.metadata.scope === 'slack:T1:C1')).toBe(true);
    expect(dense.some((doc) => doc.pageContent.includes('Globex'))).toBe(false);
  });

  it('refuses to mix embedding models and reindex fixes it from the stored texts', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    await t.core.close();

    const other = new CitebotCore(loadSettings({ env: { ...t.env, EMBED_MODEL: 'bge-m3' }, dotenvDir: false }));
    try {
      const error = await other.openIndex().catch((e: unknown) => e);
      expect(isCitebotError(error, 'index_model_mismatch')).toBe(true);
      expect((error as Error).message).toContain('nomic-embed-text');
      expect((error as Error).message).toContain('bge-m3');
      expect((error as Error).message).toContain('citebot reindex');

      double.reset();
      const index = other.index;
      const result = await index.reindex();
      expect(result).toMatchObject({ model: 'bge-m3', previousModel: 'nomic-embed-text' });
      expect(result.chunks).toBeGreaterThan(0);
      expect(double.stats.textsEmbedded).toBe(result.chunks);
      // bge-m3 has no document prefix; its vectors have its own dimension.
      expect(double.embedInputs.flat().every((input) => !input.startsWith('search_document: '))).toBe(true);
      await other.openIndex();
      expect(await index.vectorCount()).toBe(result.chunks);
      expect(await index.collectionMetadata()).toMatchObject({ embedModel: 'bge-m3', dimension: 1024 });
    } finally {
      await other.close();
    }
  });

  it('a missing embedding model is one line with the ollama pull fix, and nothing is written', async () => {
    t = await createTestCore(double, { EMBED_MODEL: 'snowflake-arctic-embed' });
    const error = await t.core.indexer().catch((e: unknown) => e);
    expect(isCitebotError(error, 'model_missing')).toBe(true);
    expect((error as Error).message).toContain('ollama pull snowflake-arctic-embed');
    expect(await t.core.index.documents()).toEqual([]);
  });

  it('Ollama down mid-ingest: a clear error, the old version still served, and the next run completes', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
    const index = await t.core.openIndex();
    const before = await index.chunkIdsOf('local:default', 'doc-handbook.md');

    await double.down();
    const changed = memorySource('local:default', 'handbook.md', HANDBOOK + '\n## Parking\n\nParking is free on weekends.\n');
    const error = await indexer.ingest(changed).catch((e: unknown) => e);
    await double.up();
    expect(isCitebotError(error, 'model_unavailable')).toBe(true);
    expect((error as Error).message).toContain('Ollama is not reachable');

    // Nothing half-written: the previous chunks are what the index holds.
    expect(await index.chunkIdsOf('local:default', 'doc-handbook.md')).toEqual(before);
    expect((await index.vectorIds({ docId: 'doc-handbook.md' })).sort()).toEqual([...before].sort());

    const again = await indexer.ingest(changed);
    expect(again.status).toBe('updated');
    expect(await index.keywordSearch('parking weekends', ['local:default'], 3)).toHaveLength(1);
    expect(await index.document('local:default', 'doc-handbook.md')).toMatchObject({ status: 'indexed' });
  });

  it('retries a 5xx from Ollama and succeeds', async () => {
    t = await createTestCore(double);
    const indexer = await t.core.indexer();
    double.configure({ failNext: { endpoint: 'embed', status: 500, count: 1 } });
    const result = await indexer.ingest(memorySource('local:default', 'plan.md', SECRET_PLAN));
    expect(result.status).toBe('indexed');
    expect(double.stats.faultsInjected).toBe(1);
  });
});

describe('DocumentIndex when Chroma goes down', () => {
  it('gives a clear error, keeps SQLite as it was, and the next run finishes the job', async () => {
    const { startEmbeddedChroma } = await import('../src/store/chroma-server.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const double = await OllamaDouble.start();
    const chromaDir = mkdtempSync(join(tmpdir(), 'citebot-chroma-down-'));
    let chroma = await startEmbeddedChroma(chromaDir);
    const t = await createTestCore(double, { CHROMA_URL: chroma.url });
    try {
      const indexer = await t.core.indexer();
      await indexer.ingest(memorySource('local:default', 'handbook.md', HANDBOOK));
      await chroma.stop();

      const error = await indexer.ingest(memorySource('local:default', 'plan.md', SECRET_PLAN)).catch((e: unknown) => e);
      expect(isCitebotError(error, 'chroma_unavailable')).toBe(true);
      expect((error as Error).message).toMatch(/^Chroma is not reachable at http:\/\/127\.0\.0\.1:\d+: nothing answers there\. Fix:/);
      const index = await t.core.openIndex();
      expect(await index.document('local:default', 'doc-plan.md')).toBeUndefined();
      expect(await index.chunkIdsOf('local:default', 'doc-plan.md')).toEqual([]);
      expect(await index.document('local:default', 'doc-handbook.md')).toMatchObject({ status: 'indexed' });

      // Chroma back on the same port and data: the next run indexes the file and leaves no orphans.
      chroma = await startEmbeddedChroma(chromaDir, { port: Number(new URL(chroma.url).port) });
      const next = new CitebotCore(loadSettings({ env: t.env, dotenvDir: false }));
      try {
        const result = await (await next.indexer()).ingest(memorySource('local:default', 'plan.md', SECRET_PLAN));
        expect(result.status).toBe('indexed');
        const reopened = await next.openIndex();
        const ids = (await Promise.all((await reopened.documents()).map((d) => reopened.chunkIdsOf(d.scope, d.docId)))).flat();
        expect(new Set(await reopened.vectorIds({ scope: 'local:default' }))).toEqual(new Set(ids));
      } finally {
        await next.close();
      }
    } finally {
      await t.close();
      await chroma.stop();
      await double.close();
      rmSync(chromaDir, { recursive: true, force: true });
    }
  });
});
