import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minRelevance } from '../src/chains/rerankers/index.js';
import { ConfigError, loadSettings, redactSecrets, redactSettings } from '../src/config.js';

const load = (env: NodeJS.ProcessEnv, dotenvDir: string | false = false) => loadSettings({ env, dotenvDir });

describe('settings', () => {
  it('takes every default from config/defaults.yaml', () => {
    const s = load({});
    expect(s).toMatchObject({
      OLLAMA_BASE_URL: ['http://127.0.0.1:11434'],
      CHAT_PROVIDER: 'ollama',
      EMBED_PROVIDER: 'ollama',
      CHAT_BASE_URL: [],
      EMBED_MODEL: 'nomic-embed-text',
      DATA_DIR: './data',
      CHROMA_URL: undefined,
      EMBED_BATCH_SIZE: 64,
      MAX_FILE_MB: 50,
      RERANKER: 'cross-encoder',
      SLACK_API_URL: 'https://slack.com/api/',
    });
  });

  it('model servers: host lists, a required base URL for openai, /api blamed on the path, keys never shown', () => {
    expect(load({ OLLAMA_BASE_URL: 'http://gpu-1:11434, http://gpu-2:11434/' }).OLLAMA_BASE_URL).toEqual([
      'http://gpu-1:11434',
      'http://gpu-2:11434',
    ]);
    expect(() => load({ CHAT_PROVIDER: 'openai' })).toThrow(/^CHAT_BASE_URL: required when CHAT_PROVIDER=openai/mu);
    expect(() => load({ EMBED_PROVIDER: 'vllm' })).toThrow(/EMBED_PROVIDER: expected ollama or openai/u);
    expect(() => load({ OLLAMA_BASE_URL: 'http://127.0.0.1:11434/api' })).toThrow(
      "OLLAMA_BASE_URL: http://127.0.0.1:11434/api ends in /api, which citebot adds itself. Fix: set OLLAMA_BASE_URL to Ollama's address without the path, e.g. http://127.0.0.1:11434.",
    );
    // An OpenAI-compatible server's /api path is its own business.
    expect(load({ CHAT_PROVIDER: 'openai', CHAT_BASE_URL: 'http://litellm:4000/api' }).CHAT_BASE_URL).toEqual(['http://litellm:4000/api']);
    expect(() => load({ CHAT_PROVIDER: 'openai', CHAT_BASE_URL: 'gpu-box:8000', CHAT_API_KEY: 'sk-secret-key' })).toThrow(
      /^CHAT_BASE_URL: expected a URL/mu,
    );
    try {
      load({ CHAT_PROVIDER: 'openai', CHAT_API_KEY: 'sk-secret-key', CHAT_NUM_CTX: 'x' });
    } catch (error) {
      expect(String(error)).not.toContain('sk-secret-key');
    }
    expect(redactSettings(load({ EMBED_API_KEY: 'sk-secret-key' })).EMBED_API_KEY).toBe('(set)');
  });

  it('environment beats .env, which beats CITEBOT_CONFIG, which beats the defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-config-'));
    writeFileSync(join(dir, 'citebot.yaml'), 'EMBED_MODEL: bge-m3\nCHUNK_TOKENS: 300\nMAX_PAGES: 7\n');
    writeFileSync(join(dir, '.env'), 'CHUNK_TOKENS=200\nMAX_PAGES=9\n');
    const s = load({ CITEBOT_CONFIG: join(dir, 'citebot.yaml'), MAX_PAGES: '11' }, dir);
    expect(s.EMBED_MODEL).toBe('bge-m3');
    expect(s.CHUNK_TOKENS).toBe(200);
    expect(s.MAX_PAGES).toBe(11);
    // Reading .env must not leak into the process environment.
    expect(process.env.CHUNK_TOKENS).toBeUndefined();
  });

  it('names the setting and the fix, one line per problem', () => {
    try {
      load({ CHAT_NUM_CTX: 'lots', OLLAMA_BASE_URL: 'not a url', RERANKER: 'magic' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as ConfigError).problems;
      expect(lines).toHaveLength(3);
      expect(lines.find((l) => l.startsWith('CHAT_NUM_CTX:'))).toMatch(/whole number.*Fix: set CHAT_NUM_CTX/);
      expect(lines.find((l) => l.startsWith('OLLAMA_BASE_URL:'))).toContain('expected a URL');
      expect(lines.find((l) => l.startsWith('RERANKER:'))).toContain('cross-encoder, http or none');
      for (const line of lines) expect(line).not.toContain('\n');
    }
  });

  it('DISCORD_ANSWER_MODE: reply by default, thread on request, anything else named with the choices', () => {
    expect(load({}).DISCORD_ANSWER_MODE).toBe('reply');
    expect(load({ DISCORD_ANSWER_MODE: 'thread' }).DISCORD_ANSWER_MODE).toBe('thread');
    expect(() => load({ DISCORD_ANSWER_MODE: 'threads' })).toThrow(/DISCORD_ANSWER_MODE: .*expected reply or thread/);
  });

  it('a bad value is fixed where it was written: CITEBOT_CONFIG names its file, .env its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-config-'));
    writeFileSync(join(dir, 'citebot.yaml'), 'CHUNK_TOKENS: lots\n');
    writeFileSync(join(dir, '.env'), 'MAX_PAGES=many\n');
    try {
      load({ CITEBOT_CONFIG: join(dir, 'citebot.yaml') }, dir);
      expect.unreachable();
    } catch (error) {
      const lines = (error as ConfigError).problems;
      expect(lines.find((l) => l.startsWith('CHUNK_TOKENS:'))).toContain(
        `Fix: set CHUNK_TOKENS in ${join(dir, 'citebot.yaml')} (CITEBOT_CONFIG)`,
      );
      expect(lines.find((l) => l.startsWith('MAX_PAGES:'))).toContain(`Fix: set MAX_PAGES in ${join(dir, '.env')}`);
    }
    expect(() => load({ CHUNK_TOKENS: 'x' })).toThrow(/Fix: set CHUNK_TOKENS in the environment;/);
  });

  it('warns about .env keys that look like a misspelt setting, and ignores unrelated ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-config-'));
    writeFileSync(join(dir, '.env'), 'CHUNK_TOKEN=300\nOLLAMA_URL=http://x:1\nNODE_OPTIONS=--max-old-space-size=4096\nEDITOR=vim\n');
    const warnings: string[] = [];
    const s = loadSettings({ env: {}, dotenvDir: dir, onWarning: (line) => warnings.push(line) });
    expect(s.CHUNK_TOKENS).not.toBe(300);
    expect(warnings).toEqual([
      `${join(dir, '.env')}: CHUNK_TOKEN is not a citebot setting and is ignored; did you mean CHUNK_TOKENS?`,
      `${join(dir, '.env')}: OLLAMA_URL is not a citebot setting and is ignored; did you mean OLLAMA_BASE_URL?`,
    ]);
  });

  it('warns about environment names that look like settings (a CITEBOT_ name, a typo, POSTGRES_URL), never about unrelated ones', () => {
    const warnings: string[] = [];
    const env = {
      POSTGRES_URL: 'postgres://db/citebot',
      CITEBOT_DEBUG: '1',
      // What `citebot mcp` reads its token from, as the README says: not a setting, and no warning.
      CITEBOT_TOKEN: 'cbt_secret',
      CHUNK_TOKEN: '300',
      PATH: '/usr/bin',
      HOME: '/root',
      OLLAMA_HOST: '0.0.0.0',
    };
    loadSettings({ env, dotenvDir: false, onWarning: (line) => warnings.push(line) });
    expect(warnings).toEqual([
      'environment: POSTGRES_URL is not a citebot setting and is ignored (citebot reads the address of PostgreSQL from DATABASE_URL)',
      'environment: CITEBOT_DEBUG is not a citebot setting and is ignored; config/defaults.yaml lists them',
      'environment: CHUNK_TOKEN is not a citebot setting and is ignored; did you mean CHUNK_TOKENS?',
    ]);
  });

  it('CHROMA_URL must be http(s)://host:port: one line, whatever is wrong with it', () => {
    for (const bad of ['http://:80', 'localhost:8000', 'chroma', 'http://chroma:8000/api/v2']) {
      try {
        load({ CHROMA_URL: bad });
        expect.unreachable();
      } catch (error) {
        expect((error as ConfigError).problems, bad).toEqual([
          `CHROMA_URL: expected http(s)://host:port such as http://127.0.0.1:8000 (got ${JSON.stringify(bad)}). Fix: set CHROMA_URL in the environment; config/defaults.yaml documents it.`,
        ]);
      }
    }
    expect(load({ CHROMA_URL: 'https://chroma.internal:8443/' }).CHROMA_URL).toBe('https://chroma.internal:8443/');
  });

  it('DATABASE_URL: a postgres:// URL, kept secret, and replicas on it need a Chroma server (CHROMA_URL)', () => {
    const url = 'postgres://citebot:s3cret-pw@db:5432/citebot';
    const s = load({ DATABASE_URL: url, CHROMA_URL: 'http://chroma:8000' });
    expect(s.DATABASE_URL).toBe(url);
    expect(redactSettings(s).DATABASE_URL).toBe('(set)');
    expect(load({}).DATABASE_URL).toBeUndefined();
    for (const bad of ['mysql://db/citebot', 'postgres://db', 'db:5432/citebot']) {
      expect(() => load({ DATABASE_URL: bad, CHROMA_URL: 'http://chroma:8000' }), bad).toThrow(
        /^DATABASE_URL: expected postgres:\/\/user:password@host:5432\/database \(or postgresql:\/\/…\)\. Fix: set DATABASE_URL in the environment/,
      );
    }
    try {
      load({ DATABASE_URL: url });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^CHROMA_URL: required when DATABASE_URL is set: .* Fix: run a Chroma server/),
      ]);
      expect((error as ConfigError).message).not.toContain('s3cret-pw');
    }
  });

  it('checks settings that depend on each other', () => {
    expect(() => load({ CHUNK_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '100' })).toThrow(/CHUNK_OVERLAP_TOKENS: must be smaller/);
    expect(() => load({ RERANKER: 'http' })).toThrow(/RERANK_URL: required when RERANKER=http/);
  });

  it('rejects an unknown key in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-config-'));
    writeFileSync(join(dir, 'c.yaml'), 'EMBED_MODLE: x\n');
    expect(() => load({ CITEBOT_CONFIG: join(dir, 'c.yaml') })).toThrow(/unknown setting EMBED_MODLE/);
  });

  it('never shows secrets, even in errors', () => {
    const token = 'xoxb-1234-secret-value';
    const s = load({ SLACK_BOT_TOKEN: token, DISCORD_TOKEN: 'discord-secret-token' });
    expect(JSON.stringify(redactSettings(s))).not.toContain('secret');
    expect(redactSecrets(`auth failed for ${token}`, s)).toBe('auth failed for [SLACK_BOT_TOKEN]');
    try {
      load({ SLACK_BOT_TOKEN: 'xoxp-user-token-secret' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
      expect((error as Error).message).not.toContain('xoxp-user-token-secret');
    }
  });

  it('uses the calibrated threshold of the reranker unless RERANK_MIN_SCORE is set', () => {
    expect(minRelevance(load({}))).toBe(0.1);
    expect(minRelevance(load({ RERANKER: 'http', RERANK_URL: 'http://127.0.0.1:8080/rerank' }))).toBe(0.05);
    expect(minRelevance(load({ RERANKER: 'none' }))).toBe(0);
    expect(minRelevance(load({ RERANK_MIN_SCORE: '0' }))).toBe(0);
    expect(minRelevance(load({ RERANK_MIN_SCORE: '0.3' }))).toBe(0.3);
    expect(() => load({ RERANK_MIN_SCORE: '2' })).toThrow(/RERANK_MIN_SCORE: expected ≤ 1/);
  });
});
