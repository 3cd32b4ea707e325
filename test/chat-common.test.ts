import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, isAllowedHost } from '../src/bots/common/file-download.js';
import { splitMessage } from '../src/bots/common/split-message.js';
import { summarizeIngest } from '../src/app/shared-files.js';
import { ThrottledEdit } from '../src/bots/common/throttled-edit.js';
import { answerMessages, BLOCK_LIMIT, SECTION_LIMIT } from '../src/bots/slack/answer-render.js';
import { toMrkdwn } from '../src/bots/slack/mrkdwn.js';
import type { Answer, Citation } from '../src/chains/types.js';
import { loadSettings } from '../src/config.js';
import { unsupportedByName } from '../src/ingest/detect.js';
import { IngestError } from '../src/ingest/types.js';
import { parseScopeGrants, readableScopes } from '../src/scope-grants.js';

describe('splitMessage', () => {
  it('keeps short text whole and splits long text under the limit at paragraph breaks', () => {
    expect(splitMessage('short [1].', 2000)).toEqual(['short [1].']);
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} says something useful [${(i % 3) + 1}].`.padEnd(120, ' x'));
    const parts = splitMessage(paragraphs.join('\n\n'), 500);
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(500);
    expect(parts.join('\n\n').replace(/\s+/g, ' ')).toBe(paragraphs.join('\n\n').replace(/\s+/g, ' '));
  });

  it('never cuts a citation marker', () => {
    const text = 'word '.repeat(390) + 'see [12, 13] and more ' + 'word '.repeat(50);
    for (const limit of [1950, 1955, 1960, 1962, 1966]) {
      const parts = splitMessage(text, limit);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(limit);
        expect(part).not.toMatch(/\[\d+(, \d+)?$|^\d*,? ?\d*\]/);
      }
      expect(parts.join(' ').match(/\[12, 13\]/g)).toHaveLength(1);
    }
  });

  it('closes and reopens a code block cut in two', () => {
    const code = Array.from({ length: 80 }, (_, i) => `const line${i} = ${i};`).join('\n');
    const parts = splitMessage(`Here is the code:\n\`\`\`ts\n${code}\n\`\`\`\nDone [1].`, 600);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(600);
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(parts[1]).toMatch(/^```ts\n/);
  });

  it('splits Chinese text without spaces', () => {
    const text = '这是一个很长的句子，用来测试分割。'.repeat(300);
    const parts = splitMessage(text, 2000);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join('')).toBe(text);
    expect(parts[0]!.endsWith('。')).toBe(true);
  });
});

describe('scope grants', () => {
  it('shares a scope only with the readers named, never the other way round', () => {
    const grants = parseScopeGrants('slack:T1:CHAND -> slack:T1:*; discord:G1:C9 -> discord:G1:C2');
    expect(readableScopes('slack:T1:C5', grants)).toEqual(['slack:T1:C5', 'slack:T1:CHAND']);
    expect(readableScopes('slack:T2:C5', grants)).toEqual(['slack:T2:C5']);
    expect(readableScopes('discord:G1:C2', grants)).toEqual(['discord:G1:C2', 'discord:G1:C9']);
    expect(readableScopes('discord:G1:C9', grants)).toEqual(['discord:G1:C9']);
    expect(readableScopes('discord:G1:C3', grants)).toEqual(['discord:G1:C3']);
  });

  it('refuses wildcard sources and malformed entries with a line naming the setting', () => {
    expect(() => parseScopeGrants('slack:T1:* -> slack:T1:*')).toThrow(/no wildcards/);
    expect(() => parseScopeGrants('slack:T1:C1')).toThrow(/source -> readers/);
    expect(() => loadSettings({ env: { SHARED_SCOPES: 'slack:T1:*->*' }, dotenvDir: false })).toThrow(
      /^SHARED_SCOPES: .*no wildcards.*Fix:/,
    );
    expect(loadSettings({ env: {}, dotenvDir: false }).SHARED_SCOPES).toEqual([]);
  });
});

describe('ThrottledEdit', () => {
  it('edits at most once per interval, shows the latest text, and lets the final edit land last', async () => {
    const edits: { text: string; at: number }[] = [];
    const started = Date.now();
    const throttle = new ThrottledEdit(async (text) => void edits.push({ text, at: Date.now() - started }), 100);
    for (let i = 1; i <= 30; i++) {
      throttle.push(`text ${i}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 150));
    await throttle.close();
    throttle.push('after close');
    expect(edits.length).toBeLessThanOrEqual(5);
    expect(edits.at(-1)!.text).toBe('text 30');
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(95);
    expect(edits.map((e) => e.text)).not.toContain('after close');
  });
});

describe('Slack rendering', () => {
  const citation = (n: number): Citation => ({
    n,
    chunkId: `c${n}`,
    docId: `F${n}`,
    source: `report ${n}.pdf`,
    url: `https://acme.slack.com/files/U1/F${n}/report.pdf`,
    location: `p. ${n}`,
    score: 0.9,
    snippet: '',
  });
  const answer = (text: string, cited = 2): Answer => ({
    answer: text,
    citations: Array.from({ length: cited }, (_, i) => citation(i + 1)),
    alsoRelevant: [],
    droppedCitations: 0,
    id: 'q1',
    language: 'en',
    searchedQuestion: 'q',
    timings: { retrieveMs: 1, rerankMs: 1, generateMs: 1, totalMs: 3 },
  });

  it('converts Markdown to mrkdwn and escapes control characters', () => {
    expect(toMrkdwn('**Budget** is <10k & [the doc](https://x.example/a) says so [1].')).toBe(
      '*Budget* is &lt;10k &amp; <https://x.example/a|the doc> says so [1].',
    );
    expect(toMrkdwn('## Limits\n- one\n- two')).toBe('*Limits*\n• one\n• two');
    expect(toMrkdwn('`a<b`')).toBe('`a&lt;b`');
  });

  it('links every source to its permalink with the location, and keeps sections and blocks within limits', () => {
    const [message] = answerMessages(answer('The budget is 10k [1][2].'), 'answer-1');
    const json = JSON.stringify(message!.blocks);
    expect(json).toContain('[1] <https://acme.slack.com/files/U1/F1/report.pdf|report 1.pdf> · p. 1');
    // Slack's feedback buttons (context_actions), each carrying the answer's id.
    expect(json).toContain('"type":"context_actions"');
    expect(json).toContain('"value":"up:answer-1"');
    expect(json).toContain('"value":"down:answer-1"');

    const long = Array.from({ length: 400 }, (_, i) => `Sentence ${i} of a long answer, citing [${(i % 40) + 1}].`).join(' ');
    const messages = answerMessages(answer(long, 40), 'answer-2');
    for (const m of messages) {
      expect(m.blocks.length).toBeLessThanOrEqual(BLOCK_LIMIT);
      for (const block of m.blocks) {
        if (block.type === 'section') expect(block.text!.text.length).toBeLessThanOrEqual(SECTION_LIMIT);
        if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
      }
    }
    const text = messages
      .flatMap((m) => m.blocks)
      .filter((b) => b.type === 'section')
      .map((b) => (b as { text: { text: string } }).text.text)
      .join(' ');
    expect(text.length).toBeGreaterThan(long.length - 100);
    expect(JSON.stringify(messages.at(-1)!.blocks)).toContain('"type":"feedback_buttons"');
  });
});

describe('downloadFile', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer good')
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
      if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.alloc(3000));
      if (req.url === '/redirect-out') return void res.writeHead(302, { location: 'https://evil.example/steal' }).end();
      if (req.url === '/gone') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const options = (token: string) => ({
    allowedHosts: ['127.0.0.1'],
    headers: { Authorization: `Bearer ${token}` },
    maxBytes: 1000,
    signInHint: 'add files:read',
  });
  const failure = async (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as IngestError,
    );

  it('downloads with the token and refuses sign-in pages, oversized bodies, foreign hosts and redirects out', async () => {
    expect(Buffer.from(await downloadFile(`${base}/notes.txt`, 'notes.txt', options('good'))).toString()).toBe('hello');
    expect((await failure(downloadFile(`${base}/notes.txt`, 'notes.txt', options('bad'))))?.reason).toMatch(/sign-in page.*files:read/);
    expect(await failure(downloadFile(`${base}/big`, 'big.pdf', options('good')))).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/too large/),
    });
    expect((await failure(downloadFile('https://evil.example/x', 'x.pdf', options('good'))))?.reason).toMatch(
      /refusing to download from evil\.example/,
    );
    expect((await failure(downloadFile(`${base}/redirect-out`, 'x.pdf', options('good'))))?.reason).toMatch(/redirected to evil\.example/);
    expect((await failure(downloadFile(`${base}/gone`, 'x.pdf', options('good'))))?.reason).toMatch(/HTTP 404/);
  });

  it('allows https on the platform hosts and their subdomains only', () => {
    expect(isAllowedHost(new URL('https://files.slack.com/a'), ['slack.com'])).toBe(true);
    expect(isAllowedHost(new URL('http://files.slack.com/a'), ['slack.com'])).toBe(false);
    expect(isAllowedHost(new URL('https://slack.com.evil.example/a'), ['slack.com'])).toBe(false);
  });
});

describe('channel ingest helpers', () => {
  it('skips clear non-documents by name before downloading', () => {
    // Images are read by OCR: downloaded. Formats OCR does not read are not.
    expect(unsupportedByName('photo.png', 'image/png')).toBeUndefined();
    expect(unsupportedByName('scan.jpeg', 'image/jpeg')).toBeUndefined();
    expect(unsupportedByName('clip.mov', 'video/quicktime')).toMatch(/video\/quicktime/);
    expect(unsupportedByName('photo.heic', 'image/heic')).toMatch(/image\/heic/);
    expect(unsupportedByName('archive.zip', 'application/zip')).toMatch(/\.zip/);
    expect(unsupportedByName('report.pdf', 'application/pdf')).toBeUndefined();
    expect(unsupportedByName('notes', 'text/plain')).toBeUndefined();
  });

  it('summarizes results with one line per file not indexed', () => {
    const summary = summarizeIngest([
      { scope: 's', docId: '1', source: 'a.pdf', status: 'indexed', chunks: 4 },
      { scope: 's', docId: '2', source: 'b.pdf', status: 'unchanged', chunks: 2 },
      {
        scope: 's',
        docId: '3',
        source: 'budget.xlsx',
        status: 'failed',
        chunks: 0,
        error: 'encrypted Excel workbook: remove the password and share it again',
      },
    ]);
    expect(summary).toBe(
      '3 files: 1 new, 1 unchanged, 1 not indexed (4 passages added).\n• budget.xlsx: encrypted Excel workbook: remove the password and share it again (failed)',
    );
  });
});
