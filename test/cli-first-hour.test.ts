/**
 * The first hour of a newcomer (issue 12), through the built CLI (dist/cli.js) as a person runs it:
 * each test is one rough edge they hit, with the Ollama double and the shared real Chroma.
 * Every step is a fresh process, so the tests allow minutes on a loaded machine.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, OllamaDouble } from './doubles/ollama-double.js';
import { runCli as run, startCli } from './support/cli.js';
import { testEnv } from './support/harness.js';

/** The CLI with stdin open, to type into `chat`. */
const start = (args: string[], env: NodeJS.ProcessEnv) => startCli(args, env, { stdin: 'pipe' });

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

describe('citebot CLI: the first hour', { timeout: 240_000 }, () => {
  let double: OllamaDouble;
  const cleanup: string[] = [];
  const env = (overrides: Record<string, string> = {}) => {
    const made = testEnv(double.url, overrides);
    cleanup.push(made.dataDir);
    return made;
  };
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-first-hour-'));
    cleanup.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };

  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('--version, a bare citebot, and --help with examples, where settings live and required options', async () => {
    const { env: e } = env();
    const version = await run(['--version'], e);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);

    const bare = await run([], e);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('Usage: citebot');
    expect(bare.stdout).toContain('Examples:');
    expect(bare.stdout).toContain('config/defaults.yaml');

    const evalHelp = await run(['eval', '--help'], e);
    expect(evalHelp.code).toBe(0);
    expect(evalHelp.stdout).toMatch(/--qa <file>\s+\(required\)/);
  });

  it('--scope is validated: empty, wildcards and typos exit 2 with the expected forms; an empty scope warns', async () => {
    const { env: e } = env();
    for (const bad of ['', 'slack:*', 'locl:default', 'discord:G1:C 2']) {
      const result = await run(['ingest', EXAMPLES, '--scope', bad], e);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toMatch(/is not a (scope|slack scope|discord scope|local scope)/);
      expect(result.stderr).toContain(bad === '' ? 'an empty scope' : `"${bad}"`);
    }
    for (const good of ['local:team-a', 'discord:dm:333']) {
      const result = await run(['sources', '--scope', good], e);
      expect(result.code, good).toBe(0);
    }

    await run(['ingest', join(EXAMPLES, 'handbook', 'expenses.md'), '--scope', 'slack:T1:C1'], e);
    const typo = await run(['sources', '--scope', 'slack:T1:C9'], e);
    expect(typo.code).toBe(0);
    expect(typo.stderr).toContain('warning: scope slack:T1:C9 has no documents; scopes with documents: slack:T1:C1');
    const used = await run(['sources', '--scope', 'slack:T1:C1'], e);
    expect(used.stderr).toBe('');
  });

  it('empty questions exit 2 with "empty question" and never reach the model, in ask and in chat', async () => {
    const { env: e } = env();
    await run(['ingest', join(EXAMPLES, 'handbook')], e);
    double.reset();
    for (const question of ['', '   ']) {
      const result = await run(['ask', question], e);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('empty question');
    }
    expect(double.stats.requests.chat).toBe(0);
    expect(double.stats.requests.embed ?? 0).toBe(0);

    const chat = start(['chat'], e);
    let out = '';
    chat.stdout!.on('data', (d: Buffer) => (out += d));
    chat.stdin!.write('   \n\n/quit\n');
    expect(await new Promise((r) => chat.once('exit', r))).toBe(0);
    expect(out).not.toContain('Sorry');
    expect(double.stats.requests.chat).toBe(0);
  });

  it('ingest wording: "1 file", chunks added to the scope, and a hint for a folder with no files', async () => {
    const { env: e } = env();
    const one = await run(['ingest', join(EXAMPLES, 'handbook', 'expenses.md')], e);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^1 file: 1 indexed, .*; \d+ chunks? added to scope local:default$/m);
    const empty = mkdtempSync(join(tmpdir(), 'citebot-empty-'));
    cleanup.push(empty);
    mkdirSync(join(empty, 'sub'));
    writeFileSync(join(empty, '.hidden'), 'not for indexing');
    const none = await run(['ingest', empty], e);
    expect(none.stderr).toContain(`no files found in ${empty}`);
    // The hidden file is not read, but it is listed (issue 11: no file is dropped without a line).
    expect(none.stdout).toMatch(/1 file: 0 indexed, 0 updated, 0 unchanged, 1 skipped, 0 failed/);
  });

  it('forget takes the path ingest printed, a doc id or a name; an ambiguous name lists the candidates', async () => {
    const { env: e } = env();
    const a = folder({ 'notes.md': '# Notes\n\nThe alpha launch is in May.\n' });
    const b = folder({ 'notes.md': '# Notes\n\nThe beta launch is in June.\n' });
    const c = folder({ 'plan.md': '# Plan\n\nThe gamma plan is in July.\n', 'todo.md': '# Todo\n\nBuy milk.\n' });
    const ingested = JSON.parse((await run(['ingest', a, b, c, '--json'], e)).stdout) as { files: { path: string }[] };
    expect(ingested.files).toHaveLength(4);

    const ambiguous = await run(['forget', 'notes.md'], e);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('"notes.md" names 2 documents in scope local:default; forget one by its id or path:');
    expect(ambiguous.stderr).toContain(join(a, 'notes.md'));
    expect(ambiguous.stderr).toContain(join(b, 'notes.md'));

    const byPath = await run(['forget', join(a, 'notes.md')], e);
    expect(byPath.code).toBe(0);
    expect(byPath.stdout.trim().split('\n')).toHaveLength(1);
    expect(byPath.stdout).toMatch(/^Forgot notes\.md \(local-[0-9a-f]+\): 1 chunk removed from scope local:default\.$/m);

    const { documents } = JSON.parse((await run(['sources', '--json'], e)).stdout) as { documents: { docId: string; source: string }[] };
    const plan = documents.find((d) => d.source === 'plan.md')!;
    const byId = await run(['forget', plan.docId], e);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain(`Forgot plan.md (${plan.docId})`);

    const byName = await run(['forget', 'notes.md'], e);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain('Forgot notes.md');
    const left = JSON.parse((await run(['sources', '--json'], e)).stdout) as { documents: { source: string }[] };
    expect(left.documents.map((d) => d.source)).toEqual(['todo.md']);
  });

  it('SHARED_SCOPES applies to ask and sources in the terminal, as in the chat adapters', async () => {
    const { env: e } = env({ SHARED_SCOPES: 'local:handbook -> local:*' });
    await run(['ingest', join(EXAMPLES, 'handbook'), '--scope', 'local:handbook'], e);
    const sources = await run(['sources', '--scope', 'local:team'], e);
    expect(sources.code).toBe(0);
    expect(sources.stderr).toBe('');
    expect(sources.stdout).toContain('local:handbook');
    expect(sources.stdout).toContain('vacation-policy.md');
    const asked = await run(['ask', 'How many vacation days do new employees get?', '--scope', 'local:team', '--json'], e);
    expect(asked.code).toBe(0);
    const answer = JSON.parse(asked.stdout) as { citations: { source: string }[] };
    expect(answer.citations[0]?.source).toBe('vacation-policy.md');
    // Not shared the other way round.
    const { env: unshared } = env();
    await run(['ingest', join(EXAMPLES, 'handbook'), '--scope', 'local:handbook'], unshared);
    const none = await run(['sources', '--scope', 'local:team', '--json'], unshared);
    expect((JSON.parse(none.stdout) as { documents: unknown[] }).documents).toEqual([]);
  });

  it('the README headline: the example handbook answers "How many vacation days…?" from vacation-policy.md', async () => {
    const { env: e } = env();
    const ingest = await run(['ingest', join(EXAMPLES, 'handbook')], e);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/4 files: 4 indexed/);
    const asked = await run(['ask', 'How many vacation days do new employees get?'], e);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/Sources:\n\[1\] vacation-policy\.md · Vacation policy > Vacation days/);
  });

  it('an unavailable reranker: said once per process under the first answer (not repeated, not in the log), and doctor exits 0 with a warning', async () => {
    const { env: e } = env({ RERANKER: 'cross-encoder', RERANK_MODEL_PATH: '/nonexistent/reranker', LOG_LEVEL: 'warn' });
    await run(['ingest', join(EXAMPLES, 'handbook')], e);
    const doctor = await run(['doctor', '--json'], e);
    const { ok, checks } = JSON.parse(doctor.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(checks.find((c) => c.name === 'reranker')).toMatchObject({ status: 'warning' });
    expect(checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(ok).toBe(true);
    expect(doctor.code).toBe(0);

    const chat = start(['chat'], e);
    let out = '';
    let err = '';
    chat.stdout!.on('data', (d: Buffer) => (out += d));
    chat.stderr!.on('data', (d: Buffer) => (err += d));
    chat.stdin!.write('How many vacation days do new employees get?\nWho must approve a flight?\n/quit\n');
    expect(await new Promise((r) => chat.once('exit', r))).toBe(0);
    // Said once per process, under the first answer as the README shows, not again under the second nor in the log.
    expect(out.match(/\(note: reranker unavailable: fusion order used/g)).toHaveLength(1);
    expect(err).not.toMatch(/reranker unavailable/);
  });

  it('output piped into a reader that stops (chat | head): no EPIPE stack trace, exit 0', async () => {
    const { env: e } = env();
    const chat = start(['chat'], e);
    let err = '';
    chat.stderr!.on('data', (d: Buffer) => (err += d));
    await new Promise((r) => chat.stdout!.once('data', r));
    chat.stdout!.destroy();
    // Every line now makes chat write into the closed pipe.
    for (let i = 0; i < 20; i++) chat.stdin!.write('/help\n');
    const code = await new Promise((r) => chat.once('exit', r));
    expect(err).not.toContain('EPIPE');
    expect(err).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(code).toBe(0);
  });

  it('chat: Ctrl-C while an answer streams cancels that answer, the session goes on; Ctrl-C twice at the prompt quits', async () => {
    const { env: e } = env();
    await run(['ingest', join(EXAMPLES, 'handbook')], e);
    double.configure({ tokenDelayMs: 400 });
    try {
      const chat = start(['chat'], e);
      let out = '';
      chat.stdout!.on('data', (d: Buffer) => (out += d));
      const exited = new Promise<number | null>((r) => chat.once('exit', r));
      chat.stdin!.write('How many vacation days do new employees get?\n');
      const before = double.stats.requests.chat;
      await expect.poll(() => double.stats.requests.chat, { timeout: 20_000 }).toBeGreaterThan(before);
      chat.kill('SIGINT');
      await expect.poll(() => out, { timeout: 10_000 }).toContain('(answer cancelled)');
      double.configure({ tokenDelayMs: 0 });
      chat.stdin!.write('Who must approve a flight?\n');
      await expect.poll(() => out, { timeout: 20_000 }).toMatch(/Sources:\n\[1\] expenses\.md/);
      chat.kill('SIGINT');
      await expect.poll(() => out, { timeout: 5000 }).toContain('Ctrl-C again or /quit to leave');
      chat.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      double.configure({ tokenDelayMs: 0 });
    }
  });

  it('Ctrl-C during ingest says what was kept and that a re-run completes it; sources shows the interrupted document', async () => {
    const { env: e } = env({ CHUNK_TOKENS: '40', CHUNK_OVERLAP_TOKENS: '0', EMBED_BATCH_SIZE: '2', EMBED_CONCURRENCY: '1' });
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++)
      files[`report-${i}.md`] =
        `# Report ${i}\n\n` + Array.from({ length: 10 }, (_, p) => `Paragraph ${p} of report ${i}: ${i * 10 + p} units sold.`).join('\n\n');
    const dir = folder(files);
    double.reset();
    double.configure({ embedDelayMsPerText: 40 });
    try {
      const child = start(['ingest', dir], e);
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d));
      await expect.poll(() => double.stats.textsEmbedded, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
      child.kill('SIGINT');
      expect(await new Promise((r) => child.once('exit', r))).toBe(130);
      expect(err).toMatch(/Interrupted: \d+ files? of 6 finished and kept in the index\. Run the same command again to complete the rest/);
    } finally {
      double.configure({ embedDelayMsPerText: 0 });
    }
    const sources = await run(['sources'], e);
    expect(sources.stdout).toMatch(/interrupted .*ingest it again to complete it/);
    const { documents } = JSON.parse((await run(['sources', '--json'], e)).stdout) as { documents: { status: string }[] };
    expect(documents.some((d) => d.status === 'interrupted')).toBe(true);
    const rerun = await run(['ingest', dir, '--json'], e);
    expect(rerun.code).toBe(0);
    const after = JSON.parse((await run(['sources', '--json'], e)).stdout) as { documents: { status: string }[] };
    expect(after.documents.map((d) => d.status)).toEqual(Array(6).fill('indexed'));
  });

  it('CHROMA_URL: a malformed one names the setting; nothing listening and a server that is not Chroma are one line each', async () => {
    const malformed = await run(['sources'], env({ CHROMA_URL: 'http://:80' }).env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr.trim().split('\n')).toEqual([
      'citebot: CHROMA_URL: expected http(s)://host:port such as http://127.0.0.1:8000 (got "http://:80"). Fix: set CHROMA_URL in the environment; config/defaults.yaml documents it.',
    ]);

    const down = await run(['ask', 'anything?'], env({ CHROMA_URL: 'http://127.0.0.1:9' }).env);
    expect(down.code).toBe(3);
    const downLines = down.stderr.trim().split('\n');
    expect(downLines.at(-1)).toBe(
      'citebot: Chroma is not reachable at http://127.0.0.1:9: nothing answers there. Fix: start Chroma, or unset CHROMA_URL to use the embedded server',
    );
    expect(down.stderr).not.toContain('CORS');

    const other: Server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
      const wrong = await run(['ask', 'anything?'], env({ CHROMA_URL: url }).env);
      expect(wrong.code).toBe(3);
      expect(wrong.stderr.trim().split('\n').at(-1)).toBe(
        `citebot: the server at ${url} is not Chroma (it does not know Chroma's API). Fix: set CHROMA_URL to the Chroma server, e.g. http://127.0.0.1:8000, or unset it to use the embedded server`,
      );
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it("a vector-size mismatch in ask is explained like ingest and doctor do, not as Chroma's raw message", async () => {
    const { env: e } = env();
    await run(['ingest', join(EXAMPLES, 'handbook')], e);
    // The same model name now returns vectors of another size (a different model pulled under that name).
    double.configure({ models: DEFAULT_MODELS.map((m) => (m.name.startsWith('nomic-embed-text') ? { ...m, dimension: 512 } : m)) });
    try {
      const asked = await run(['ask', 'How many vacation days do new employees get?'], e);
      expect(asked.stderr).not.toContain('Collection expecting embedding');
      expect(asked.stderr).toMatch(/holds 768-dimension vectors but nomic-embed-text returns 512\. Fix: citebot reindex/);
      expect(asked.code).toBe(2);
    } finally {
      double.configure({ models: [...DEFAULT_MODELS] });
    }
  });
});
