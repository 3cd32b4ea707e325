import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli as run, startCli, BUILT_CLI } from './support/cli.js';
import { testEnv } from './support/harness.js';

/** The CLI with stdin open, to type into `chat`. */
const start = (args: string[], env: NodeJS.ProcessEnv) => startCli(args, env, { stdin: 'pipe' });

const FIXTURES = join(import.meta.dirname, 'fixtures', 'docs');

/** A folder of small documents: good ones in several formats and the broken ones. */
function makeCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'citebot-corpus-'));
  mkdirSync(join(dir, 'good'));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'good', 'travel.md'), '# Travel\n\nTrains for trips under 500 km. Flights need a director.\n');
  writeFileSync(join(dir, 'good', 'notes.txt'), 'The reimbursement code is EXP-4471. Receipts are due within 30 days.\n');
  writeFileSync(join(dir, 'good', 'budget.csv'), 'item,cost\nlaptop,1200\nchair,300\n');
  writeFileSync(join(dir, 'good', '长江.txt'), '长江是中国第一大河，全长约六千三百公里。长江流经十一个省级行政区。\n');
  for (const name of ['sample.docx', 'sample.pptx', 'sample.pdf']) {
    try {
      cpSync(join(FIXTURES, name), join(dir, 'good', name));
    } catch {
      // Optional extras: the loader tests cover every format on its own.
    }
  }
  // Passed over, but never in silence.
  writeFileSync(join(dir, 'good', '.draft.txt'), 'A hidden draft: not indexed, but reported.\n');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(dir, 'broken', 'zero-byte.pdf'), '');
  writeFileSync(join(dir, 'broken', 'not-really-a.pdf'), 'This is plain text pretending to be a PDF.\n');
  writeFileSync(join(dir, 'broken', 'noise.docx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
  writeFileSync(
    join(dir, 'broken', 'truncated.pdf'),
    '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pa',
  );
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('citebot CLI', () => {
  let double: OllamaDouble;
  let corpus: string;
  const cleanup: string[] = [];

  beforeAll(async () => {
    double = await OllamaDouble.start();
    corpus = makeCorpus();
    cleanup.push(corpus);
  });
  afterAll(async () => {
    await double.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('ingest --json reports every file, indexes the good ones, and exits 1 for the broken ones', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    const first = await run(['ingest', corpus, '--json'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    const report = JSON.parse(first.stdout) as {
      files: { path: string; status: string; chunks: number; error?: string }[];
      totals: Record<string, number>;
    };
    const byName = (name: string) => report.files.find((f) => f.path.endsWith(name))!;
    for (const name of ['travel.md', 'notes.txt', 'budget.csv', '长江.txt']) {
      expect(byName(name)).toMatchObject({ status: 'indexed' });
      expect(byName(name).chunks).toBeGreaterThan(0);
    }
    expect(byName('zero-byte.pdf')).toMatchObject({ status: 'skipped' });
    expect(byName('.draft.txt')).toMatchObject({ status: 'skipped', chunks: 0, error: 'hidden file' });
    expect(byName('.git')).toMatchObject({ status: 'skipped', error: 'hidden folder' });
    for (const name of ['not-really-a.pdf', 'noise.docx', 'truncated.pdf']) expect(byName(name).status).toBe('failed');
    for (const f of report.files.filter((f) => f.status === 'failed' || f.status === 'skipped')) {
      expect(f.error).toBeTruthy();
      expect(f.error).not.toContain('\n');
      expect(f.error).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    expect(report.totals.failed).toBe(3);
    expect(report.totals.files).toBe(report.files.length);

    // Again: nothing changed, nothing embedded.
    double.reset();
    const second = await run(['ingest', corpus, '--json'], env);
    const again = JSON.parse(second.stdout) as typeof report;
    expect(again.files.filter((f) => f.status === 'indexed' || f.status === 'updated')).toEqual([]);
    expect(again.totals.unchanged).toBe(report.totals.indexed);
    expect(double.stats.textsEmbedded).toBe(0);

    // sources --json lists the documents with chunk counts.
    const sources = await run(['sources', '--json'], env);
    expect(sources.code).toBe(0);
    const { documents } = JSON.parse(sources.stdout) as {
      documents: { source: string; status: string; chunks: number; scope: string; error?: string }[];
    };
    expect(documents.find((d) => d.source === 'travel.md')).toMatchObject({ status: 'indexed', scope: 'local:default' });
    expect(documents.find((d) => d.source === 'not-really-a.pdf')).toMatchObject({ status: 'failed', chunks: 0 });

    // forget by file name, then it is gone; forgetting again exits 1.
    const forgot = await run(['forget', 'travel.md'], env);
    expect(forgot.code).toBe(0);
    expect(forgot.stdout).toMatch(/Forgot travel.md .*1 chunk removed/);
    const gone = await run(['forget', 'travel.md'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('No document "travel.md"');
  });

  it('puts documents in the scope given and lists only that scope', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    await run(['ingest', join(corpus, 'good', 'notes.txt'), '--scope', 'slack:T1:C1', '--json'], env);
    const here = JSON.parse((await run(['sources', '--scope', 'slack:T1:C1', '--json'], env)).stdout) as { documents: unknown[] };
    const elsewhere = JSON.parse((await run(['sources', '--json'], env)).stdout) as { documents: unknown[] };
    expect(here.documents).toHaveLength(1);
    expect(elsewhere.documents).toHaveLength(0);
  });

  it('a bad setting is one line naming it, with exit code 2', async () => {
    const { env, dataDir } = testEnv(double.url, { CHUNK_TOKENS: 'many' });
    cleanup.push(dataDir);
    const result = await run(['sources'], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('CHUNK_TOKENS');
  });

  it('Ollama down: a clear error and exit code 3, and nothing recorded as indexed', async () => {
    const { env, dataDir } = testEnv('http://127.0.0.1:9', { EMBED_MAX_RETRIES: '0' });
    cleanup.push(dataDir);
    const result = await run(['ingest', join(corpus, 'good'), '--json'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Ollama is not reachable at http://127.0.0.1:9');
    const sources = JSON.parse((await run(['sources', '--json'], env)).stdout) as { documents: unknown[] };
    expect(sources.documents).toEqual([]);
  });

  it('doctor reports each dependency and exits non-zero when one fails', async () => {
    const { env, dataDir } = testEnv(double.url, { CHAT_MODEL: 'not-pulled-model' });
    cleanup.push(dataDir);
    const result = await run(['doctor', '--json'], env);
    expect(result.code).toBe(1);
    const { checks } = JSON.parse(result.stdout) as { checks: { name: string; status: string; detail: string; fix?: string }[] };
    expect(checks.find((c) => c.name === 'ollama')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'embedding model')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'chat model')).toMatchObject({ status: 'failed', fix: 'ollama pull not-pulled-model' });
    expect(checks.find((c) => c.name === 'chroma')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'index')).toMatchObject({ status: 'ok' });
  });

  it('a kill -9 in the middle of an ingest is completed by the next run, with no duplicates or orphans', async () => {
    const { env, dataDir } = testEnv(double.url, { CHUNK_TOKENS: '40', CHUNK_OVERLAP_TOKENS: '0', EMBED_BATCH_SIZE: '4' });
    cleanup.push(dataDir);
    const folder = mkdtempSync(join(tmpdir(), 'citebot-kill-'));
    cleanup.push(folder);
    for (let i = 0; i < 12; i++) {
      const paragraphs = Array.from(
        { length: 12 },
        (_, p) => `Document ${i} paragraph ${p}: the quarterly figure for region ${p} was ${i * 100 + p} units.`,
      );
      writeFileSync(join(folder, `report-${i}.md`), `# Report ${i}\n\n${paragraphs.join('\n\n')}\n`);
    }
    double.reset();
    double.configure({ embedDelayMsPerText: 15 });
    try {
      const child = start(['ingest', folder, '--json'], env);
      const deadline = Date.now() + 30_000;
      while (double.stats.textsEmbedded < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(double.stats.textsEmbedded).toBeGreaterThanOrEqual(20);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      double.configure({ embedDelayMsPerText: 0 });
    }

    const rerun = await run(['ingest', folder, '--json'], env);
    expect(rerun.code).toBe(0);
    const report = JSON.parse(rerun.stdout) as { files: { status: string }[]; totals: Record<string, number> };
    expect(report.files).toHaveLength(12);
    expect(report.files.every((f) => ['indexed', 'unchanged'].includes(f.status))).toBe(true);

    // Open the index directly and compare the three stores.
    const core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
    try {
      const index = await core.openIndex();
      const ledger = await index.documents(['local:default']);
      expect(ledger).toHaveLength(12);
      expect(ledger.every((d) => d.status === 'indexed')).toBe(true);
      const expected = ledger.reduce((n, d) => n + d.chunkCount, 0);
      const keywordIds = (await Promise.all(ledger.map((d) => index.chunkIdsOf(d.scope, d.docId)))).flat();
      expect(keywordIds).toHaveLength(expected);
      expect(await index.chunkCount()).toBe(expected);
      const vectorIds = await index.vectorIds({ scope: 'local:default' });
      expect(vectorIds.length).toBe(expected);
      expect(new Set(vectorIds)).toEqual(new Set(keywordIds));
    } finally {
      await core.close();
    }
  });

  it('an ingest killed in a PID namespace and started again with the same pid (a container) is recovered, and completed once', async () => {
    // Inside `unshare --pid --fork` every run is pid 1, as in a container: a pid check would take the dead writer for alive.
    const { env, dataDir } = testEnv(double.url, {
      CHUNK_TOKENS: '40',
      CHUNK_OVERLAP_TOKENS: '0',
      EMBED_BATCH_SIZE: '4',
      LEASE_TTL_S: '2',
    });
    cleanup.push(dataDir);
    const folder = mkdtempSync(join(tmpdir(), 'citebot-pidns-'));
    cleanup.push(folder);
    for (let i = 0; i < 8; i++)
      writeFileSync(
        join(folder, `note-${i}.md`),
        `# Note ${i}\n\n` + Array.from({ length: 10 }, (_, p) => `Note ${i} line ${p}: ${i * 7 + p} crates.`).join('\n\n'),
      );
    const inNamespace = (args: string[]) =>
      spawn('unshare', ['--pid', '--fork', '--kill-child', process.execPath, BUILT_CLI, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    const finish = (child: ReturnType<typeof inNamespace>) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        let stdout = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d));
        child.on('exit', (code) => resolve({ code, stdout }));
      });
    double.reset();
    double.configure({ embedDelayMsPerText: 15 });
    try {
      const child = inNamespace(['ingest', folder, '--json']);
      await expect.poll(() => double.stats.textsEmbedded, { timeout: 30_000 }).toBeGreaterThanOrEqual(12);
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      double.configure({ embedDelayMsPerText: 0 });
    }
    // Once the dead run's lease has expired, a new run (pid 1 again) sees its work as interrupted.
    await new Promise((r) => setTimeout(r, 2_500));
    const sources = JSON.parse((await finish(inNamespace(['sources', '--json']))).stdout) as { documents: { status: string }[] };
    expect(sources.documents.some((d) => d.status === 'interrupted')).toBe(true);
    expect(sources.documents.some((d) => d.status === 'indexing')).toBe(false);
    const rerun = await finish(inNamespace(['ingest', folder, '--json']));
    expect(rerun.code).toBe(0);
    const core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
    try {
      const index = await core.openIndex();
      const ledger = await index.documents(['local:default']);
      expect(ledger.map((d) => d.status)).toEqual(Array(8).fill('indexed'));
      const ids = (await Promise.all(ledger.map((d) => index.chunkIdsOf(d.scope, d.docId)))).flat();
      expect(new Set(await index.vectorIds({ scope: 'local:default' }))).toEqual(new Set(ids));
    } finally {
      await core.close();
    }
  });

  it("a second process on the same DATA_DIR never recovers a live writer's work", async () => {
    const { env, dataDir } = testEnv(double.url, { CHUNK_TOKENS: '40', CHUNK_OVERLAP_TOKENS: '0', EMBED_BATCH_SIZE: '2' });
    cleanup.push(dataDir);
    const folder = mkdtempSync(join(tmpdir(), 'citebot-two-'));
    cleanup.push(folder);
    writeFileSync(
      join(folder, 'long.md'),
      '# Long\n\n' + Array.from({ length: 40 }, (_, p) => `Paragraph ${p}: ${p * 3} widgets shipped.`).join('\n\n'),
    );
    double.reset();
    double.configure({ embedDelayMsPerText: 40 });
    try {
      const writer = start(['ingest', folder, '--json'], env);
      let out = '';
      writer.stdout!.on('data', (d: Buffer) => (out += d));
      await expect.poll(() => double.stats.textsEmbedded, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
      // Meanwhile another process opens the index, which runs recovery: the writer's lease is live.
      const other = new CitebotCore(loadSettings({ env, dotenvDir: false }));
      try {
        const index = await other.openIndex();
        await index.recover();
        expect((await index.documents())[0]).toMatchObject({ status: 'indexing' });
        expect((await index.documents())[0]!.interrupted).toBeUndefined();
      } finally {
        await other.close();
      }
      expect(await new Promise((r) => writer.once('exit', r))).toBe(0);
      expect((JSON.parse(out) as { files: { status: string }[] }).files.map((f) => f.status)).toEqual(['indexed']);
    } finally {
      double.configure({ embedDelayMsPerText: 0 });
    }
    const core = new CitebotCore(loadSettings({ env, dotenvDir: false }));
    try {
      const index = await core.openIndex();
      const [doc] = await index.documents();
      const ids = await index.chunkIdsOf(doc!.scope, doc!.docId);
      expect(ids).toHaveLength(doc!.chunkCount);
      expect(new Set(await index.vectorIds({ scope: 'local:default' }))).toEqual(new Set(ids));
    } finally {
      await core.close();
    }
  });

  it('serve answers /healthz, says which adapters are not configured, and stops on SIGTERM', async () => {
    const port = await freePort();
    const { env, dataDir } = testEnv(double.url, { HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    cleanup.push(dataDir);
    const child = start(['serve'], env);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const deadline = Date.now() + 30_000;
    let health: { ok: boolean; ready: boolean } | undefined;
    while (Date.now() < deadline && !health?.ready) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.json() as Promise<{ ok: boolean; ready: boolean }>,
        () => undefined,
      );
      await new Promise((r) => setTimeout(r, 200));
    }
    // Ready names each dependency it waited for (issue 25).
    expect(health).toMatchObject({
      ok: true,
      ready: true,
      dependencies: { embeddings: { state: 'ready' }, chat: { state: 'ready' }, chroma: { state: 'ready' } },
    });
    expect(stderr).toContain('Slack: not configured');
    expect(stderr).toContain('Discord: not configured');
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('bad arguments exit 2', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    expect((await run(['ingest'], env)).code).toBe(2);
    expect((await run(['no-such-command'], env)).code).toBe(2);
  });
});
