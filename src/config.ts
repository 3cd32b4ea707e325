import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { languageFile } from './util/tesseract-language-file.js';
import { parseScopeGrants } from './scope-grants.js';
import { CitebotError } from './errors.js';

/**
 * The one place settings are read and validated. Sources, highest precedence first:
 * the environment, `.env`, the YAML file named by CITEBOT_CONFIG, then config/defaults.yaml
 * (which holds every default, documented). Keys are the environment variable names everywhere.
 */

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULTS_FILE = join(packageRoot, 'config', 'defaults.yaml');

const text = z.string().trim();
const optionalText = text.optional().transform((v) => (v ? v : undefined));
const url = text.url('expected a URL such as http://127.0.0.1:11434');
const optionalUrl = optionalText.pipe(url.optional());
/** A server address citebot can connect to: http(s)://host[:port], nothing after it. */
const isServerUrl = (v: string): boolean => {
  const parsed = URL.canParse(v) ? new URL(v) : undefined;
  return !!parsed && /^https?:$/u.test(parsed.protocol) && parsed.hostname !== '' && ['', '/'].includes(parsed.pathname);
};
/** A PostgreSQL connection URL: postgres(ql)://[user[:password]@]host[:port]/database. */
const isPostgresUrl = (v: string): boolean => {
  const parsed = URL.canParse(v) ? new URL(v) : undefined;
  return !!parsed && /^postgres(ql)?:$/u.test(parsed.protocol) && parsed.hostname !== '' && parsed.pathname.length > 1;
};
const serverUrl = (example: string) =>
  optionalText.pipe(z.string().refine(isServerUrl, `expected http(s)://host:port such as ${example}`).optional());
/** One or more servers for one model, comma-separated: each http(s)://host[:port][/path]. */
const hostList = optionalText.transform((v, ctx) => {
  const hosts = (v ?? '')
    .split(',')
    .map((h) => h.trim().replace(/\/+$/u, ''))
    .filter(Boolean);
  const bad = hosts.find((host) => {
    const parsed = URL.canParse(host) ? new URL(host) : undefined;
    return !parsed || !/^https?:$/u.test(parsed.protocol) || !parsed.hostname;
  });
  if (bad === undefined) return hosts;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a URL such as http://127.0.0.1:11434, got ${bad}` });
  return z.NEVER;
});
const provider = z.enum(['ollama', 'openai'], { message: 'expected ollama or openai' });
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, `expected a whole number ≥ ${min}`)
    .max(max, `expected a whole number ≤ ${max}`);
const num = (min: number, max: number) =>
  z.coerce.number({ message: 'expected a number' }).min(min, `expected ≥ ${min}`).max(max, `expected ≤ ${max}`);

const schema = z.object({
  OLLAMA_BASE_URL: hostList.pipe(z.array(z.string()).min(1, 'expected a URL such as http://127.0.0.1:11434')),
  CHAT_PROVIDER: provider,
  EMBED_PROVIDER: provider,
  // Unset: OLLAMA_BASE_URL for the ollama provider; required for openai (checkCombinations).
  CHAT_BASE_URL: hostList,
  EMBED_BASE_URL: hostList,
  CHAT_API_KEY: optionalText,
  EMBED_API_KEY: optionalText,
  EMBED_MODEL: text.min(1, 'expected a model name such as nomic-embed-text'),
  CHAT_MODEL: text.min(1, 'expected a model name such as qwen2.5:7b'),
  CHAT_NUM_CTX: int(512),
  EMBED_BATCH_SIZE: int(1, 2048),
  EMBED_CONCURRENCY: int(1, 64),
  EMBED_MAX_RETRIES: int(0, 20),
  DATA_DIR: text.min(1),
  CHROMA_URL: serverUrl('http://127.0.0.1:8000'),
  DATABASE_URL: optionalText.pipe(
    z.string().refine(isPostgresUrl, 'expected postgres://user:password@host:5432/database (or postgresql://…)').optional(),
  ),
  CHROMA_COLLECTION_PREFIX: text.regex(
    /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,40}$/,
    'expected letters, digits, . _ - (starting with a letter or digit)',
  ),
  CHUNK_TOKENS: int(32, 8192),
  CHUNK_OVERLAP_TOKENS: int(0, 4096),
  MAX_FILE_MB: num(0.001, 4096),
  MAX_PAGES: int(1),
  MAX_SLIDES: int(1),
  MAX_ROWS: int(1),
  FILE_TIMEOUT_S: num(0.001, 3600),
  MAX_UNCOMPRESSED_MB: num(1, 65536),
  MAX_COMPRESSION_RATIO: num(1, 100000),
  PARSER_MEMORY_MB: int(64, 65536),
  INGEST_MEMORY_MB: int(256, 1_048_576),
  OCR: z.enum(['on', 'off'], { message: 'expected on or off' }),
  OCR_LANGS: text.transform((v, ctx) => {
    const codes = v.split('+').map((code) => code.trim());
    const missing = codes.filter((code) => !languageFile(code));
    if (missing.length) {
      const what = missing.map((code) => code || '(empty)').join(', ');
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `OCR language ${what} is not installed; expected codes joined by + such as eng+chi_sim (each needs its npm package @tesseract.js-data/<code>)`,
      });
      return z.NEVER;
    }
    return codes;
  }),
  OCR_PAGE_TIMEOUT_S: num(0.1, 3600),
  RETRIEVE_DENSE_K: int(1, 1000),
  RETRIEVE_KEYWORD_K: int(1, 1000),
  FUSION: z.enum(['adaptive', 'score', 'rrf'], { message: 'expected adaptive, score or rrf' }),
  FUSION_DENSE_WEIGHT: num(0, 1),
  FUSION_KEYWORD_WEIGHT: num(0, 1),
  RERANKER: z.enum(['cross-encoder', 'http', 'none'], { message: 'expected cross-encoder, http or none' }),
  RERANK_MODEL: text.min(1),
  RERANK_MODEL_PATH: optionalText,
  RERANK_URL: optionalUrl,
  RERANK_API: z.enum(['cohere', 'tei'], { message: 'expected cohere or tei' }),
  RERANK_CANDIDATES: int(1, 2000),
  RERANK_TOP_N: int(1, 100),
  RERANK_BATCH_SIZE: int(1, 512),
  // Unset: the reranker's calibrated default (see src/chains/rerankers/index.ts).
  RERANK_MIN_SCORE: z.preprocess((v) => (v === '' || v === null ? undefined : v), num(0, 1).optional()),
  EVIDENCE_MIN_COVERAGE: num(0, 1),
  ANSWER_RESERVE_TOKENS: int(64, 65536),
  CHAT_TIMEOUT_S: num(1, 3600),
  CHAT_THINK: z.enum(['auto', 'on', 'off'], { message: 'expected auto, on or off' }),
  CHAT_THINK_TOKENS: int(0, 65536),
  SLACK_BOT_TOKEN: optionalText.pipe(text.startsWith('xoxb-', 'expected a bot token starting with xoxb-').optional()),
  SLACK_APP_TOKEN: optionalText.pipe(text.startsWith('xapp-', 'expected an app-level token starting with xapp-').optional()),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_PORT: int(1, 65535),
  SLACK_API_URL: url,
  SLACK_THREAD_FOLLOWUPS: z.enum(['always', 'mention'], { message: 'expected always or mention' }),
  DISCORD_TOKEN: optionalText,
  DISCORD_API_URL: url,
  DISCORD_HISTORY_LIMIT: int(1, 100_000),
  DISCORD_ANSWER_MODE: z.enum(['reply', 'thread'], { message: 'expected reply or thread' }),
  INDEX_MESSAGES: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
      z.union([z.boolean(), z.enum(['true', 'false', 'on', 'off', '1', '0'], { message: 'expected true or false' })]),
    )
    .transform((v) => v === true || v === 'true' || v === 'on' || v === '1'),
  SLACK_HISTORY_DAYS: int(1, 36_500),
  MESSAGE_SYNC_DELAY_MS: int(0, 600_000),
  SHARED_SCOPES: z
    .preprocess((v) => (v === null || v === undefined ? '' : v), text)
    .transform((v, ctx) => {
      try {
        return parseScopeGrants(v);
      } catch (error) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
        return z.NEVER;
      }
    }),
  STREAM_EDIT_INTERVAL_MS: int(250, 60_000),
  HEALTH_PORT: int(0, 65535),
  LEASE_TTL_S: int(2, 600),
  MCP_HTTP: z.enum(['on', 'off'], { message: 'expected on or off' }),
  MCP_REQUESTS_PER_MINUTE: int(1, 100_000),
  MCP_CONCURRENT_ASKS: int(1, 64),
  MCP_MAX_QUESTION_CHARS: int(16, 100_000),
  MCP_MAX_K: int(1, 100),
  HEALTH_CHECK_S: int(1, 3600),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug'], { message: 'expected error, warn, info or debug' }),
});

export type Settings = z.infer<typeof schema>;
export type SettingName = keyof Settings;
export const SETTING_NAMES = Object.keys(schema.shape) as SettingName[];

/** Settings whose values must never reach a log line or an error message. */
export const SECRET_SETTINGS: readonly SettingName[] = [
  'CHAT_API_KEY',
  'EMBED_API_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'DISCORD_TOKEN',
  // Its password.
  'DATABASE_URL',
];

/** A setting that is missing or invalid. `message` is one line per problem, each naming the setting and the fix. */
/** Bad or missing settings: one line per problem, each naming the setting and the fix. */
export class ConfigError extends CitebotError {
  constructor(readonly problems: string[]) {
    super('invalid_settings', problems.join('\n'), { retryable: false });
    this.name = 'ConfigError';
  }
}

type RawSettings = Record<string, unknown>;

function readYaml(file: string): RawSettings {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([
      `config file ${file} could not be read: ${(err as Error).message.split('\n')[0]}. Fix the file or unset CITEBOT_CONFIG.`,
    ]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${file} must be a mapping of SETTING: value lines.`]);
  }
  const raw: RawSettings = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(SETTING_NAMES as string[]).includes(key)) {
      throw new ConfigError([
        `config file ${file}: unknown setting ${key}. Fix: remove it, or use one of the names in config/defaults.yaml.`,
      ]);
    }
    raw[key] = value === null || value === '' ? undefined : value;
  }
  return raw;
}

/** The settings an environment (or .env) sets. An empty value means unset, as .env.example says: `OLLAMA_BASE_URL=` is the default. */
function fromEnv(env: NodeJS.ProcessEnv): RawSettings {
  const raw: RawSettings = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value;
  }
  return raw;
}

export interface LoadSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** Read `.env` from this directory (default: the working directory). `false` skips it. */
  dotenvDir?: string | false;
  /** A CITEBOT_CONFIG file that does not exist yet reads as empty (`eval --apply` creates it). */
  settingsFileMayBeMissing?: boolean;
  /** Told about things that do not stop citebot, such as a `.env` key that looks like a misspelt setting. */
  onWarning?: (line: string) => void;
}

/** `.env`'s settings, and the keys it holds that are not settings (typos, most likely). */
function readDotenv(file: string): { raw: RawSettings; unknown: string[] } {
  if (!existsSync(file)) return { raw: {}, unknown: [] };
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  const names = SETTING_NAMES as string[];
  return {
    raw: fromEnv(parsed),
    unknown: Object.keys(parsed).filter((key) => !names.includes(key) && key !== 'CITEBOT_CONFIG'),
  };
}

/** "did you mean CHUNK_TOKENS?": the setting a key is a couple of edits from, or the closest one sharing its first word. */
export function suggestSetting(key: string): string | undefined {
  const upper = key.toUpperCase();
  const names = SETTING_NAMES as string[];
  const best = closest(upper, names);
  if (distance(upper, best) <= Math.max(2, Math.floor(best.length / 5))) return best;
  const prefix = upper.split('_')[0]!;
  const family = prefix.length >= 4 ? names.filter((n) => n.startsWith(`${prefix}_`)) : [];
  return family.length ? closest(upper, family) : undefined;
}

/** Environment names citebot reads that are not settings. */
const ENVIRONMENT_NAMES = new Set(['CITEBOT_CONFIG', 'CITEBOT_TOKEN']);
/** Names people set expecting a feature this version does not have: say so rather than ignore them. */
const NOT_SETTINGS: Record<string, string> = {
  POSTGRES_URL: 'citebot reads the address of PostgreSQL from DATABASE_URL',
  PG_URL: 'citebot reads the address of PostgreSQL from DATABASE_URL',
};

/**
 * Environment names that look like citebot settings but are not (a `CITEBOT_…` name, a misspelt
 * setting, a feature this version lacks): each would otherwise be silently ignored.
 */
export function environmentLookalikes(env: NodeJS.ProcessEnv): string[] {
  const names = SETTING_NAMES as string[];
  const lines: string[] = [];
  for (const key of Object.keys(env)) {
    if (names.includes(key) || ENVIRONMENT_NAMES.has(key)) continue;
    if (key in NOT_SETTINGS) {
      lines.push(`environment: ${key} is not a citebot setting and is ignored (${NOT_SETTINGS[key]})`);
      continue;
    }
    const best = closest(key.toUpperCase(), names);
    const typo = key !== key.toLowerCase() && distance(key.toUpperCase(), best) <= Math.min(2, Math.floor(best.length / 5));
    if (typo) lines.push(`environment: ${key} is not a citebot setting and is ignored; did you mean ${best}?`);
    else if (/^CITEBOT_/iu.test(key))
      lines.push(`environment: ${key} is not a citebot setting and is ignored; config/defaults.yaml lists them`);
  }
  return lines;
}

export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const defaults = readYaml(DEFAULTS_FILE);
  const userFile = env.CITEBOT_CONFIG?.trim();
  const missing = userFile !== undefined && userFile !== '' && !existsSync(userFile);
  if (missing && !options.settingsFileMayBeMissing) {
    throw new ConfigError([`CITEBOT_CONFIG points at ${userFile}, which does not exist. Fix: correct the path or unset CITEBOT_CONFIG.`]);
  }
  const user = userFile && !missing ? readYaml(userFile) : {};
  const dotenvFile = options.dotenvDir === false ? undefined : join(options.dotenvDir ?? process.cwd(), '.env');
  const dotenv = dotenvFile ? readDotenv(dotenvFile) : { raw: {}, unknown: [] };
  for (const key of dotenv.unknown) {
    const suggestion = suggestSetting(key);
    if (suggestion) options.onWarning?.(`${dotenvFile}: ${key} is not a citebot setting and is ignored; did you mean ${suggestion}?`);
  }
  for (const line of environmentLookalikes(env)) options.onWarning?.(line);
  const merged = { ...defaults, ...user, ...dotenv.raw, ...fromEnv(env) };
  // Where each value came from, so a bad one is fixed where it was written.
  const origin = (name: string): string =>
    name in fromEnv(env)
      ? 'the environment'
      : name in dotenv.raw
        ? dotenvFile!
        : name in user
          ? `${userFile} (CITEBOT_CONFIG)`
          : 'the environment or .env';

  const result = schema.safeParse(merged);
  if (result.success) return checkCombinations(result.data);
  // One line per setting: its first problem is enough to fix it.
  const issues = result.error.issues.filter((issue, i, all) => all.findIndex((other) => other.path[0] === issue.path[0]) === i);
  const problems = issues.map((issue) => {
    const name = String(issue.path[0] ?? 'settings');
    const shown = SECRET_SETTINGS.includes(name as SettingName) ? '' : ` (got ${JSON.stringify(merged[name] ?? null)})`;
    return `${name}: ${issue.message}${shown}. Fix: set ${name} in ${origin(name)}; config/defaults.yaml documents it.`;
  });
  throw new ConfigError(problems);
}

function checkCombinations(settings: Settings): Settings {
  const problems: string[] = [];
  if (settings.CHUNK_OVERLAP_TOKENS >= settings.CHUNK_TOKENS) {
    problems.push(`CHUNK_OVERLAP_TOKENS: must be smaller than CHUNK_TOKENS (${settings.CHUNK_TOKENS}). Fix: lower CHUNK_OVERLAP_TOKENS.`);
  }
  if (settings.OCR_PAGE_TIMEOUT_S > settings.FILE_TIMEOUT_S) {
    problems.push(
      `OCR_PAGE_TIMEOUT_S: must not exceed FILE_TIMEOUT_S (${settings.FILE_TIMEOUT_S}), the limit for the whole file. Fix: lower OCR_PAGE_TIMEOUT_S or raise FILE_TIMEOUT_S.`,
    );
  }
  if (settings.ANSWER_RESERVE_TOKENS >= settings.CHAT_NUM_CTX / 2) {
    problems.push(
      `ANSWER_RESERVE_TOKENS: must be under half of CHAT_NUM_CTX (${settings.CHAT_NUM_CTX}) to leave room for the sources. Fix: lower it or raise CHAT_NUM_CTX.`,
    );
  }
  if (settings.MCP_HTTP === 'on' && settings.HEALTH_PORT === 0) {
    problems.push('MCP_HTTP: /mcp is served on HEALTH_PORT, which is 0 (off). Fix: set HEALTH_PORT to a port, or MCP_HTTP=off.');
  }
  for (const role of ['CHAT', 'EMBED'] as const) {
    const ollama = settings[`${role}_PROVIDER`] === 'ollama';
    if (!ollama && !settings[`${role}_BASE_URL`].length) {
      problems.push(
        `${role}_BASE_URL: required when ${role}_PROVIDER=openai. Fix: set it to the server's OpenAI-compatible address, e.g. http://gpu-box:8000/v1 (vLLM), or set ${role}_PROVIDER=ollama.`,
      );
    }
    // Ollama's client adds /api itself: with it in the address every route is "not found", which reads as a missing model.
    const name: SettingName = settings[`${role}_BASE_URL`].length ? `${role}_BASE_URL` : 'OLLAMA_BASE_URL';
    const hosts = settings[name] as string[];
    const withApi = ollama ? hosts.find((host) => /\/api$/u.test(new URL(host).pathname)) : undefined;
    if (withApi && !problems.some((p) => p.startsWith(`${name}:`))) {
      problems.push(
        `${name}: ${withApi} ends in /api, which citebot adds itself. Fix: set ${name} to Ollama's address without the path, e.g. ${new URL(withApi).origin}.`,
      );
    }
  }
  if (settings.DATABASE_URL && !settings.CHROMA_URL) {
    problems.push(
      'CHROMA_URL: required when DATABASE_URL is set: replicas share their state in PostgreSQL and must share their vectors in one Chroma server, not each start its own. Fix: run a Chroma server (`chroma run`, or the compose file) and set CHROMA_URL to it, or unset DATABASE_URL for one machine.',
    );
  }
  if (settings.RERANKER === 'http' && !settings.RERANK_URL) {
    problems.push('RERANK_URL: required when RERANKER=http. Fix: set RERANK_URL to your /rerank server, or set RERANKER=none.');
  }
  if (problems.length) throw new ConfigError(problems);
  return settings;
}

/** A copy safe to print: secrets replaced by a marker saying whether they are set. */
export function redactSettings(settings: Settings): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...settings };
  for (const name of SECRET_SETTINGS) copy[name] = settings[name] ? '(set)' : '(unset)';
  return copy;
}

/** Remove every configured secret value from a string before it is logged or shown. */
export function redactSecrets(message: string, settings: Settings): string {
  let out = message;
  for (const name of SECRET_SETTINGS) {
    const secret = String(settings[name] ?? '');
    if (secret.length >= 4) out = out.split(secret).join(`[${name}]`);
  }
  return out;
}
