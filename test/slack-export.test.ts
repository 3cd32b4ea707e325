import JSZip from 'jszip';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli } from './support/cli.js';
import { testEnv } from './support/harness.js';

/** A Slack workspace export in the shape Slack writes it: lists at the root, one folder of daily files per channel. */
async function slackExport(dir: string): Promise<string> {
  const zip = new JSZip();
  zip.file(
    'channels.json',
    JSON.stringify([
      { id: 'C0EXP', name: 'general' },
      { id: 'C0OTHER', name: 'random' },
    ]),
  );
  zip.file('groups.json', '[]');
  zip.file(
    'users.json',
    JSON.stringify([
      { id: 'UANA', name: 'ana', profile: { display_name: 'Ana', real_name: 'Ana P' } },
      { id: 'UBOT', name: 'deploybot', is_bot: true, profile: {} },
    ]),
  );
  const root = '1767225600.000100'; // 2026-01-01
  zip.file(
    'general/2026-01-01.json',
    JSON.stringify([
      { type: 'message', user: 'UANA', text: 'Where is the capybara archive kept? <!here>', ts: root, thread_ts: root, reply_count: 1 },
      {
        type: 'message',
        user: 'UANA',
        text: 'The capybara archive lives on the Tromsø NAS.',
        ts: '1767225700.000200',
        thread_ts: root,
        parent_user_id: 'UANA',
      },
      { type: 'message', subtype: 'channel_join', user: 'UANA', text: '<@UANA> has joined the channel', ts: '1767225800.000300' },
      { type: 'message', user: 'UBOT', text: 'deploy finished', ts: '1767225900.000400' },
    ]),
  );
  zip.file(
    'general/2026-01-02.json',
    JSON.stringify([{ type: 'message', user: 'UANA', text: 'Second day: the llama invoice is paid.', ts: '1767312000.000100' }]),
  );
  zip.file(
    'random/2026-01-01.json',
    JSON.stringify([{ type: 'message', user: 'UANA', text: 'random channel flamingo', ts: '1767225600.000900' }]),
  );
  const path = join(dir, 'export.zip');
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer' }));
  return path;
}

describe('citebot ingest <slack-export.zip> --scope slack:T:C', () => {
  let ollama: OllamaDouble;
  let dir: string;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    dir = mkdtempSync(join(tmpdir(), 'citebot-export-'));
  });
  afterAll(async () => {
    await ollama.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports one channel with thread and day documents and permalinks; bots, joins and other channels stay out', async () => {
    const path = await slackExport(dir);
    const { env, dataDir } = testEnv(ollama.url);
    try {
      const scope = 'slack:T0EXP:C0EXP';
      const args = ['ingest', path, '--scope', scope, '--workspace-url', 'https://acme.slack.com/', '--json'];
      const imported = await runCli(args, env);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout).import).toMatchObject({ channel: '#general', messages: 3, total: 3 });

      const asked = await runCli(['ask', 'Where is the capybara archive kept?', '--scope', scope, '--json'], env);
      const answer = JSON.parse(asked.stdout) as {
        citations: { url: string; location: string; snippet: string }[];
        alsoRelevant: typeof answer.citations;
      };
      const hit = [...answer.citations, ...answer.alsoRelevant].find((c) => c.snippet.includes('Tromsø'));
      expect(hit).toMatchObject({
        url: 'https://acme.slack.com/archives/C0EXP/p1767225700000200?thread_ts=1767225600.000100&cid=C0EXP',
        location: 'Ana · 2026-01-01',
      });

      const listed = JSON.parse((await runCli(['sources', '--scope', scope, '--json'], env)).stdout) as {
        documents: { docId: string; source: string }[];
      };
      expect(listed.documents.map((d) => d.docId).sort()).toEqual(['msg:day:2026-01-02', 'msg:thread:1767225600.000100']);
      expect(listed.documents.find((d) => d.docId.startsWith('msg:thread'))!.source).toMatch(
        /^#general thread: Where is the capybara archive kept\? @\u200bhere$/,
      );

      // Importing again changes nothing and embeds nothing.
      const before = ollama.stats.textsEmbedded;
      const again = JSON.parse((await runCli(args, env)).stdout).import as { documents: number };
      expect(again.documents).toBe(0);
      expect(ollama.stats.textsEmbedded).toBe(before);

      const wrong = await runCli(['ingest', path, '--scope', 'slack:T0EXP:C0MISSING', '--workspace-url', 'https://acme.slack.com/'], env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/channel C0MISSING is not in this export/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
