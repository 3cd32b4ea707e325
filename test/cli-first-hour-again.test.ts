/**
 * The first hour again (issue 26.5), through the built CLI (dist/cli.js): each test is one rough edge a
 * newcomer hit with the README in hand, with the Ollama double and the shared real Chroma.
 */
import JSZip from 'jszip';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli as run } from './support/cli.js';
import { testEnv } from './support/harness.js';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
// A cross-encoder that cannot load: any machine where the default model cannot be downloaded.
const BROKEN_RERANKER = { RERANKER: 'cross-encoder', RERANK_MODEL_PATH: '/nonexistent/reranker-model' };

/** A Slack export as Slack writes it, with what a real channel has besides people talking. */
async function slackExport(dir: string): Promise<string> {
  const zip = new JSZip();
  zip.file('channels.json', JSON.stringify([{ id: 'C0EXP', name: 'general' }]));
  zip.file('users.json', JSON.stringify([{ id: 'UANA', name: 'ana', profile: { display_name: 'Ana' } }]));
  zip.file(
    'general/2025-01-11.json',
    JSON.stringify([
      { type: 'message', user: 'UANA', text: 'The okapi budget for January is 4,000 euros.', ts: '1736589600.000100' },
      {
        type: 'message',
        user: 'UANA',
        text: 'Minutes attached.',
        ts: '1736589700.000200',
        files: [
          { id: 'F1', name: 'minutes.pdf' },
          { id: 'F2', name: 'budget.xlsx' },
        ],
      },
      { type: 'message', subtype: 'channel_join', user: 'UANA', text: '<@UANA> has joined the channel', ts: '1736589800.000300' },
      { type: 'message', subtype: 'bot_message', bot_id: 'B1', username: 'ci', text: 'build passed', ts: '1736589900.000400' },
      { type: 'message', subtype: 'tombstone', user: 'USLACKBOT', text: 'This message was deleted.', ts: '1736590000.000500' },
      { type: 'message', user: 'UANA', text: '', ts: '1736590100.000600', files: [{ id: 'F3', name: 'photo.png' }] },
    ]),
  );
  const path = join(dir, 'slack-export.zip');
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer' }));
  return path;
}

describe('citebot CLI: the first hour, again', { timeout: 300_000 }, () => {
  let double: OllamaDouble;
  const cleanup: string[] = [];
  const env = (overrides: Record<string, string> = {}) => {
    const made = testEnv(double.url, overrides);
    cleanup.push(made.dataDir);
    return made.env;
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

  it("the README's eval example with a reranker that cannot load compares the rest and says what it left out", async () => {
    const e = env(BROKEN_RERANKER);
    const args = ['eval', '--docs', join(EXAMPLES, 'handbook'), '--qa', join(EXAMPLES, 'handbook-questions.jsonl')];
    const result = await run(args, e);
    expect(result.stderr).not.toMatch(/cannot load the reranker.*Fix/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Left out the reranker configurations: cross-encoder unavailable \(.*RERANK_MODEL_PATH/);
  });

  it('a Slack export: what was left out and why, the files not imported, a channel by name, a day citation without its date twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-export-'));
    cleanup.push(dir);
    const path = await slackExport(dir);
    const e = env();
    const importArgs = ['ingest', path, '--scope', 'slack:T0EXP:general', '--workspace-url', 'https://acme.slack.com/'];
    const human = await run(importArgs, e);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Imported 2 messages of #general into slack:T0EXP:C0EXP');
    expect(human.stdout).toContain(
      'Left out 4 entries that are not people talking: 1 join or leave, 1 bot message, 1 tombstone, 1 image-only message.',
    );
    expect(human.stdout).toMatch(/^2 attached files not imported/m);
    const json = JSON.parse((await run([...importArgs, '--json'], e)).stdout) as { import: Record<string, unknown> };
    expect(json.import).toMatchObject({ scope: 'slack:T0EXP:C0EXP', skipped: { total: 4, tombstone: 1 }, filesNotImported: 2 });

    const asked = JSON.parse(
      (await run(['ask', 'What is the okapi budget for January?', '--scope', 'slack:T0EXP:C0EXP', '--json'], e)).stdout,
    ) as {
      citations: { source: string; location: string }[];
      alsoRelevant: { source: string; location: string }[];
    };
    const day = [...asked.citations, ...asked.alsoRelevant].find((c) => c.source === '#general · 2025-01-11');
    expect(day?.location).toBe('Ana');

    // Without --scope, a Slack export is not just "unsupported": the hint says how to import it.
    const plain = await run(['ingest', path], e);
    expect(plain.stdout).toMatch(/looks like a Slack workspace export: import a channel with citebot ingest .*--scope slack:/);
  });

  it('ask before any ingest names the command; a mistyped path exits 2; a Word lock file is passed over with a reason', async () => {
    const e = env();
    const before = await run(['ask', 'When are receipts due?'], e);
    expect(before.code).toBe(0);
    expect(before.stderr).toContain('nothing is indexed yet. Fix: citebot ingest <files or folder>, then ask again.');

    const typo = await run(['ingest', join(EXAMPLES, 'handbok')], e);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toContain('no such file or folder');

    const docs = folder({ 'notes.md': '# Notes\n\nThe gamma plan is in July.\n', '~$report.docx': '\u0005Ana Pereira' });
    for (let i = 0; i < 2; i++) {
      const result = await run(['ingest', docs, '--json'], e);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { files: { path: string; status: string; error?: string }[] };
      expect(report.files.find((f) => f.path.endsWith('~$report.docx'))).toMatchObject({
        status: 'skipped',
        error: expect.stringMatching(/^Office lock file/) as unknown,
      });
    }
  });

  it('the reranker fallback is said under the answer, as the README shows', async () => {
    const e = env(BROKEN_RERANKER);
    expect((await run(['ingest', join(EXAMPLES, 'handbook')], e)).code).toBe(0);
    const asked = await run(['ask', 'How many vacation days do new employees get?'], e);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/^\(note: reranker unavailable: fusion order used \(/m);
    expect(asked.stderr).not.toMatch(/reranker/);
  });

  it('an empty value in the environment means unset, for every setting', async () => {
    const e = env({ OLLAMA_BASE_URL: '', CHUNK_TOKENS: '', RERANK_MIN_SCORE: '', LOG_LEVEL: '' });
    const result = await run(['sources'], e);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
