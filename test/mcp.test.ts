import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Ajv } from 'ajv';
import JSZip from 'jszip';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSqliteState } from '../src/store/sqlite/state.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli, startCli, BUILT_CLI } from './support/cli.js';
import { freePort } from './support/free-port.js';
import { testEnv } from './support/harness.js';

// Spawns the built CLI: run `npm run build` first.

const CHANNEL_A = 'slack:T1:CA';
const CHANNEL_B = 'slack:T1:CB';
const HANDBOOK = 'local:handbook';
/** Words that exist only in channel B (a file and a message): no answer for channel A may contain them. */
const B_ONLY = /MANGO-4410|KESTREL-5521|beta vault|zeppelin/iu;

interface Passage {
  n: number;
  scope: string;
  source: string;
  url: string;
  location: string;
  score: number;
  snippet: string;
  text: string;
}
interface SearchOutput {
  scopes: string[];
  passages: Passage[];
  closest: Passage[];
  degraded: { type: string; message: string }[];
}
interface AskOutput {
  answer: string;
  citations: { n: number; source: string; url: string; location: string; snippet: string }[];
  alsoRelevant: AskOutput['citations'];
  noEvidence?: boolean;
}

/** A Slack export with channel B's conversation, in the shape Slack writes it. */
async function channelBExport(dir: string): Promise<string> {
  const zip = new JSZip();
  zip.file('channels.json', JSON.stringify([{ id: 'CB', name: 'beta' }]));
  zip.file('users.json', JSON.stringify([{ id: 'UANA', name: 'ana', profile: { display_name: 'Ana' } }]));
  zip.file(
    'beta/2026-01-01.json',
    JSON.stringify([{ type: 'message', user: 'UANA', text: 'The zeppelin hangar door code is KESTREL-5521.', ts: '1767225600.000100' }]),
  );
  const path = join(dir, 'export.zip');
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer' }));
  return path;
}

const structured = <T>(result: CallToolResult): T => {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as T;
};
const errorText = (result: CallToolResult): string => {
  expect(result.isError).toBe(true);
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
};
const noLeak = (value: unknown) => {
  const text = JSON.stringify(value);
  expect(text).not.toMatch(B_ONLY);
  expect(text).not.toContain(CHANNEL_B);
};

describe('citebot as an MCP server (stdio and Streamable HTTP), through the SDK client', { timeout: 240_000 }, () => {
  let double: OllamaDouble;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  let files: string;
  let port: number;
  let serve: ChildProcess;
  const clients: Client[] = [];

  const cli = async (...args: string[]) => {
    const run = await runCli(args, env);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout;
  };
  const createToken = async (name: string, scopes: string): Promise<string> =>
    (JSON.parse(await cli('token', 'create', '--name', name, '--scopes', scopes, '--json')) as { token: string }).token;

  const stdioClient = async (token: string | undefined, extraArgs: string[] = [], extraEnv: Record<string, string> = {}) => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BUILT_CLI, 'mcp', ...extraArgs],
      env: { ...(env as Record<string, string>), ...(token ? { CITEBOT_TOKEN: token } : {}), ...extraEnv },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d));
    const client = new Client({ name: 'citebot-test', version: '1.0.0' });
    clients.push(client);
    try {
      await client.connect(transport);
    } catch (error) {
      // Give the process's last words time to arrive before reporting them.
      await new Promise((r) => setTimeout(r, 200));
      throw new Error(`${(error as Error).message} | stderr: ${stderr}`, { cause: error });
    }
    return client;
  };
  const httpClient = async (token: string) => {
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: 'citebot-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    return client;
  };
  const search = (client: Client, args: Record<string, unknown>) =>
    client.callTool({ name: 'search', arguments: args }) as Promise<CallToolResult>;
  const askTool = (client: Client, args: Record<string, unknown>) =>
    client.callTool({ name: 'ask', arguments: args }) as Promise<CallToolResult>;
  /** One stdio server for channel A, with a token made by `citebot token create`, shared by the tests that only read. */
  let channelAClient: Promise<Client> | undefined;
  const channelA = () => (channelAClient ??= createToken('channel-a', CHANNEL_A).then((token) => stdioClient(token)));

  beforeAll(async () => {
    double = await OllamaDouble.start();
    port = await freePort();
    ({ env, dataDir } = testEnv(double.url, {
      HEALTH_PORT: String(port),
      MCP_HTTP: 'on',
      SHARED_SCOPES: `${HANDBOOK} -> slack:T1:*`,
    }));
    files = mkdtempSync(join(tmpdir(), 'citebot-mcp-'));
    for (const [folder, name, text] of [
      ['a', 'alpha.md', '# Alpha launch\n\nThe alpha launch code is ZEBRA-7781. It opens the alpha launch console.\n'],
      ['b', 'beta.md', '# Beta vault\n\nThe beta vault word is MANGO-4410. Only the beta team knows the beta vault word.\n'],
      ['hb', 'handbook.md', '# Vacation\n\nNew employees get 25 vacation days per year. Vacation days carry over once.\n'],
    ]) {
      mkdirSync(join(files, folder!));
      writeFileSync(join(files, folder!, name!), text!);
    }
    const conversation = await channelBExport(files);
    await cli('ingest', join(files, 'a'), '--scope', CHANNEL_A);
    await cli('ingest', join(files, 'b'), '--scope', CHANNEL_B);
    await cli('ingest', join(files, 'hb'), '--scope', HANDBOOK);
    await cli('ingest', conversation, '--scope', CHANNEL_B, '--workspace-url', 'https://acme.slack.com/');
    serve = startCli(['serve'], env, { stdin: 'pipe' });
    await vi.waitFor(
      async () => {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (!((await health.json()) as { ready: boolean }).ready) throw new Error('not ready yet');
      },
      { timeout: 30_000, interval: 200 },
    );
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
    if (serve) {
      const exited = new Promise((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      await exited;
    }
    await double.close();
    rmSync(files, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stdio: three tools with valid JSON Schemas; search and ask in the granted channel cite it, and the shared handbook', async () => {
    const client = await channelA();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'search', 'sources']);
    const ajv = new Ajv({ strict: false });
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(80);
      expect(ajv.validateSchema(tool.inputSchema), `${tool.name} input`).toBe(true);
      expect(ajv.validateSchema(tool.outputSchema!), `${tool.name} output`).toBe(true);
      expect(tool.annotations?.readOnlyHint).toBe(true);
    }
    expect(tools.find((t) => t.name === 'search')!.inputSchema.required).toEqual(['query']);
    const conforms = (name: string, value: unknown) => {
      const validate = ajv.compile(tools.find((t) => t.name === name)!.outputSchema!);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    };

    const found = structured<SearchOutput>(await search(client, { query: 'What is the alpha launch code?' }));
    conforms('search', found);
    expect(found.scopes).toEqual([CHANNEL_A, HANDBOOK]);
    expect(found.passages[0]).toMatchObject({ n: 1, scope: CHANNEL_A, source: 'alpha.md', url: join(files, 'a', 'alpha.md') });
    expect(found.passages[0]!.text).toContain('ZEBRA-7781');
    expect(found.passages[0]!.snippet).toContain('ZEBRA-7781');
    noLeak(found);

    const answer = structured<AskOutput>(await askTool(client, { question: 'What is the alpha launch code?' }));
    conforms('ask', answer);
    expect(answer.noEvidence).toBeUndefined();
    expect(answer.citations[0]).toMatchObject({ n: 1, source: 'alpha.md', url: join(files, 'a', 'alpha.md') });
    const markers = [...answer.answer.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1]));
    expect(markers.length).toBeGreaterThan(0);
    for (const n of markers) expect(answer.citations.map((c) => c.n)).toContain(n);
    noLeak(answer);

    // SHARED_SCOPES shares the handbook with every channel of T1, so with this token too.
    const vacation = structured<SearchOutput>(await search(client, { query: 'How many vacation days do new employees get?' }));
    expect(vacation.passages[0]).toMatchObject({ scope: HANDBOOK, source: 'handbook.md' });
    const sources = structured<{ scopes: { scope: string; shared: boolean; documents: { source: string }[] }[] }>(
      (await client.callTool({ name: 'sources', arguments: {} })) as CallToolResult,
    );
    conforms('sources', sources);
    expect(sources.scopes.map((s) => [s.scope, s.shared, s.documents.map((d) => d.source)])).toEqual([
      [CHANNEL_A, false, ['alpha.md']],
      [HANDBOOK, true, ['handbook.md']],
    ]);
  });

  it("stdio: a token for channel A never sees channel B's file or messages (0 leaks), even when asked for them", async () => {
    const client = await channelA();
    const leaks: string[] = [];
    for (const query of ['What is the beta vault word?', 'MANGO-4410', 'zeppelin hangar door code KESTREL-5521', 'beta']) {
      const found = structured<SearchOutput>(await search(client, { query, k: 20 }));
      for (const p of [...found.passages, ...found.closest])
        if (p.scope !== CHANNEL_A && p.scope !== HANDBOOK) leaks.push(`${query}: ${p.scope}`);
      if (B_ONLY.test(JSON.stringify(found)) || JSON.stringify(found).includes(CHANNEL_B)) leaks.push(`search ${query}`);
    }
    // The questions name no secret, so any secret in an answer came from channel B.
    for (const question of ['What word opens the vault?', 'What is the door code of the hangar?']) {
      const answer = JSON.stringify(await askTool(client, { question }));
      if (/MANGO-4410|KESTREL-5521|beta\.md|archives\/CB/u.test(answer) || answer.includes(CHANNEL_B)) leaks.push(`ask ${question}`);
    }
    expect(leaks).toEqual([]);
    expect(errorText(await search(client, { query: 'beta vault', scope: CHANNEL_B }))).toMatch(
      /token "channel-a" may not read slack:T1:CB.*Fix: call the sources tool/,
    );
  });

  it('stdio: bad input and calls over MCP_REQUESTS_PER_MINUTE are refused with the reason, and the server keeps serving', async () => {
    const token = await storedToken('inputs', [CHANNEL_A]);
    const client = await stdioClient(token, [], { MCP_MAX_QUESTION_CHARS: '40', MCP_MAX_K: '5', MCP_REQUESTS_PER_MINUTE: '4' });
    expect(errorText(await search(client, { query: 'alpha', k: 6 }))).toMatch(/k may be at most 5: ask for fewer passages/);
    expect(errorText(await search(client, { query: '   ' }))).toMatch(/the query is empty/);
    expect(errorText(await search(client, { query: 7 }))).toMatch(/query/);
    expect(errorText(await askTool(client, { question: 'x'.repeat(41) }))).toMatch(/the question is longer than 40 characters: shorten it/);
    expect(errorText(await search(client, { query: 'alpha', k: 0 }))).not.toMatch(/\n\s+at /);
    // Refused input is not counted; these are calls 1 to 4 of the minute.
    expect(errorText(await search(client, { query: 'alpha', scope: 'not a scope' }))).toMatch(/may not read not a scope/);
    expect(structured<SearchOutput>(await search(client, { query: 'alpha launch code', k: 1 })).passages).toHaveLength(1);
    structured<SearchOutput>(await search(client, { query: 'alpha' }));
    structured<SearchOutput>(await search(client, { query: 'alpha' }));
    expect(errorText(await search(client, { query: 'alpha' }))).toMatch(
      /made 4 calls this minute.*MCP_REQUESTS_PER_MINUTE.*Fix: wait \d+ s/,
    );
  });

  it('stdio: no token, or a --scope wider than the token, is refused; a narrower one narrows; a revoked token fails at its next call', async () => {
    await expect(stdioClient(undefined)).rejects.toThrow(/no access token.*CITEBOT_TOKEN/);
    const narrow = await storedToken('narrow', [CHANNEL_A, 'local:*']);
    await expect(stdioClient(narrow, ['--scope', CHANNEL_B])).rejects.toThrow(/does not grant slack:T1:CB.*may only narrow/);
    // Narrowed to local:*: channel A is out of reach, the handbook (a local scope) in reach.
    const local = await stdioClient(narrow, ['--scope', 'local:*']);
    const found = structured<SearchOutput>(await search(local, { query: 'alpha launch code ZEBRA-7781' }));
    expect(found.scopes).toEqual([HANDBOOK]);
    expect(JSON.stringify(found)).not.toContain('ZEBRA');

    // Revoked mid-session (through the CLI): the next call fails at once.
    await cli('token', 'revoke', 'narrow');
    expect(errorText(await search(local, { query: 'alpha' }))).toMatch(/the access token was revoked/);
    const listed = JSON.parse(await cli('token', 'list', '--json')) as { tokens: { name: string; state: string }[] };
    expect(listed.tokens.find((t) => t.name === 'narrow')?.state).toBe('revoked');
    expect(JSON.stringify(listed)).not.toContain(narrow);
  });

  /**
   * A token written through the store, as `citebot token create` writes it: each CLI start costs seconds
   * on a loaded machine, and an expired token cannot be made by the CLI (it takes durations ahead only).
   */
  async function storedToken(name: string, scopes: string[], expiresAt?: Date): Promise<string> {
    const state = openSqliteState(dataDir);
    try {
      return (await state.tokens.create({ name, scopes, expiresAt })).secret;
    } finally {
      await state.close();
    }
  }
  async function revokeStored(name: string): Promise<void> {
    const state = openSqliteState(dataDir);
    await state.tokens.revoke(name).finally(() => state.close());
  }
  const expiredToken = () => storedToken(`expired-${Math.random().toString(36).slice(2, 8)}`, [CHANNEL_A], new Date(Date.now() - 1000));

  it('HTTP: /mcp needs a token (401 without one), and reads exactly what the token grants', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toEqual({ error: expect.stringMatching(/no access token.*Fix: set CITEBOT_TOKEN/) });
    expect((await post({ authorization: 'Bearer citebot_0123456789abcdef_' + 'x'.repeat(43) })).status).toBe(401);
    // With a valid token, the body is still bounded and must be JSON.
    const raw = async (body: string) =>
      fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await storedToken(`raw-${body.length}`, [CHANNEL_A])}` },
        body,
      });
    expect((await raw('not json')).status).toBe(400);
    expect((await raw(`"${'x'.repeat(1024 * 1024)}"`)).status).toBe(413);

    const b = await httpClient(await storedToken('http-b', [CHANNEL_B]));
    const vault = structured<SearchOutput>(await search(b, { query: 'What is the beta vault word?' }));
    expect(vault.scopes).toEqual([CHANNEL_B, HANDBOOK]);
    expect(vault.passages[0]).toMatchObject({ scope: CHANNEL_B, source: 'beta.md' });
    const message = structured<SearchOutput>(await search(b, { query: 'zeppelin hangar door code' }));
    expect(message.passages[0]).toMatchObject({ scope: CHANNEL_B, url: 'https://acme.slack.com/archives/CB/p1767225600000100' });
    expect(message.passages[0]!.text).toContain('KESTREL-5521');
    const alpha = structured<SearchOutput>(await search(b, { query: 'alpha launch code ZEBRA-7781', k: 20 }));
    expect(JSON.stringify(alpha)).not.toMatch(/ZEBRA-7781|slack:T1:CA/);

    const a = await httpClient(await storedToken('http-a', [CHANNEL_A]));
    const answer = structured<AskOutput>(
      (await a.callTool({ name: 'ask', arguments: { question: 'What is the alpha launch code?' } })) as CallToolResult,
    );
    expect(answer.citations[0]).toMatchObject({ source: 'alpha.md' });
    noLeak(answer);
    noLeak(structured<SearchOutput>(await search(a, { query: 'zeppelin hangar door code KESTREL-5521', k: 20 })));
  });

  it('HTTP: a revoked token is refused at its next request, an expired one at once', async () => {
    const token = await storedToken('http-revoke', [CHANNEL_A]);
    const client = await httpClient(token);
    structured<SearchOutput>(await search(client, { query: 'alpha' }));
    await revokeStored('http-revoke');
    await expect(search(client, { query: 'alpha' })).rejects.toThrow(/401|revoked/);
    await expect(httpClient(token)).rejects.toThrow(/401|revoked/);
    await expect(httpClient(await expiredToken())).rejects.toThrow(/401|expired/);
  });
});
