/**
 * An honest test double for the Ollama server: it speaks Ollama's real HTTP API on loopback, so tests
 * and benchmarks run the real `ollama` and `@langchain/ollama` clients against it, with no GPU.
 *
 * Wire behaviour follows Ollama's server/routes.go (0.12.x): the same routes, JSON shapes, status codes
 * and error wording, NDJSON streaming, Go's HTML-escaping JSON encoder. Outputs are deterministic:
 * embeddings are feature-hashed bags of words (see text-features.ts), chat answers quote the sources
 * found in the prompt. Latency, a single-GPU embedding queue and failures can be switched on per test.
 *
 * In a test:
 *   const ollama = await OllamaDouble.start({ embedDelayMsPerText: 2 });
 *   new OllamaEmbeddings({ model: 'nomic-embed-text', baseUrl: ollama.url });
 *   ollama.configure({ failNext: { endpoint: 'embed', status: 503 } });  // at any time
 *   ollama.configure({ answerShape: { reasoning: 'think-tags', citationStyle: 'source-brackets' } });  // how real models answer
 *   ollama.embedInputs, ollama.chatRequests, ollama.stats;  ollama.reset();  await ollama.close();
 *
 * Standalone: `npx tsx test/doubles/ollama-double.ts --port 11434 [--embed-ms 2]` serves until Ctrl-C
 * (also --chat-ms, --token-ms, --latency-ms, --no-serialize, --models a,b, --adversarial, --semantic: also serve
 * `use-lite`, a real sentence encoder, see use-embeddings.ts).
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { shapeAnswer, type AnswerShape, type PromptSource } from './answer-shapes.js';
import { canonicalModelName, estimateTokens, hashEmbedding, normalize, truncateToTokens } from './text-features.js';

import { wantsQuestion, writeQuestion, type QuestionWriter } from './question-writer.js';
import { USE_LITE } from './use-embeddings.js';
export { USE_LITE } from './use-embeddings.js';
export { canonicalModelName, cosine, estimateTokens, featureTokens, hashEmbedding } from './text-features.js';
export { CITATION_STYLES, type AnswerShape, type CitationStyle, type ReasoningShape } from './answer-shapes.js';

// ---------------------------------------------------------------------------------------------- models

export interface ModelSpec {
  /** Canonical name with tag, e.g. "nomic-embed-text:latest". Requests may omit ":latest". */
  name: string;
  /** "embedding" for embedding models; chat models have "completion" (and maybe "tools", "thinking"). */
  capabilities: string[];
  /** GGUF architecture, e.g. "nomic-bert"; prefixes the model_info keys. */
  family: string;
  parameterSize: string;
  quantization: string;
  /** Bytes on disk, as /api/tags reports. */
  size: number;
  /** embedding_length: the vector size of an embedding model. */
  dimension: number;
  /** Trained context length; embedding inputs longer than this are truncated or refused. */
  contextLength: number;
  /**
   * How an embedding model's vectors are made: `lexical` (default) a hashed bag of words, `semantic` a real
   * sentence encoder (USE lite, use-embeddings.ts; loaded on first use, for benchmarks: see USE_LITE).
   */
  embeddings?: 'lexical' | 'semantic';
  /** What /api/tags reports as the digest; default: a hash of the name (two doubles agree). */
  digest?: string;
}

const EMBEDDING = ['embedding'];
const CHAT = ['completion', 'tools'];

/** The models the double has "pulled" unless told otherwise. Figures are those of the real models. */
export const DEFAULT_MODELS: readonly ModelSpec[] = [
  {
    name: 'nomic-embed-text:latest',
    capabilities: EMBEDDING,
    family: 'nomic-bert',
    parameterSize: '137M',
    quantization: 'F16',
    size: 274_302_450,
    dimension: 768,
    contextLength: 2048,
  },
  {
    name: 'mxbai-embed-large:latest',
    capabilities: EMBEDDING,
    family: 'bert',
    parameterSize: '334M',
    quantization: 'F16',
    size: 669_615_493,
    dimension: 1024,
    contextLength: 512,
  },
  {
    name: 'bge-m3:latest',
    capabilities: EMBEDDING,
    family: 'bert',
    parameterSize: '566.70M',
    quantization: 'F16',
    size: 1_157_672_605,
    dimension: 1024,
    contextLength: 8192,
  },
  {
    name: 'all-minilm:latest',
    capabilities: EMBEDDING,
    family: 'bert',
    parameterSize: '23M',
    quantization: 'F16',
    size: 45_960_996,
    dimension: 384,
    contextLength: 512,
  },
  {
    name: 'qwen2.5:7b',
    capabilities: CHAT,
    family: 'qwen2',
    parameterSize: '7.6B',
    quantization: 'Q4_K_M',
    size: 4_683_087_332,
    dimension: 3584,
    contextLength: 32768,
  },
  {
    name: 'llama3.2:latest',
    capabilities: CHAT,
    family: 'llama',
    parameterSize: '3.2B',
    quantization: 'Q4_K_M',
    size: 2_019_393_189,
    dimension: 3072,
    contextLength: 131072,
  },
  {
    name: 'qwen3:latest',
    capabilities: [...CHAT, 'thinking'],
    family: 'qwen3',
    parameterSize: '8.2B',
    quantization: 'Q4_K_M',
    size: 5_225_388_164,
    dimension: 4096,
    contextLength: 40960,
  },
  {
    // A reasoning model without tool support: /api/show lists only completion and thinking.
    name: 'deepseek-r1:7b',
    capabilities: ['completion', 'thinking'],
    family: 'qwen2',
    parameterSize: '7.6B',
    quantization: 'Q4_K_M',
    size: 4_683_075_271,
    dimension: 3584,
    contextLength: 131072,
  },
];

export type ModelInput = string | (Partial<ModelSpec> & { name: string });

/** A spec for a model name: the table's entry, else a guess from the name, then the caller's overrides. */
export function modelSpec(input: ModelInput): ModelSpec {
  const fields = typeof input === 'string' ? { name: input } : input;
  const name = canonicalModelName(fields.name);
  const known = DEFAULT_MODELS.find((m) => m.name === name);
  const looksLikeEmbedder = /embed|minilm|bge|e5|gte|arctic/.test(name);
  const guess: ModelSpec = looksLikeEmbedder
    ? {
        name,
        capabilities: EMBEDDING,
        family: 'bert',
        parameterSize: '110M',
        quantization: 'F16',
        size: 200_000_000,
        dimension: 768,
        contextLength: 2048,
      }
    : {
        name,
        capabilities: CHAT,
        family: 'llama',
        parameterSize: '8.0B',
        quantization: 'Q4_K_M',
        size: 4_900_000_000,
        dimension: 4096,
        contextLength: 8192,
      };
  return { ...(known ?? guess), ...fields, name };
}

const isEmbedder = (spec: ModelSpec) => spec.capabilities.includes('embedding');

// --------------------------------------------------------------------------------------------- options

/** Route names, for stats and fault injection. "embed" is /api/embed; "embeddings" the legacy route. */
export type Endpoint = 'root' | 'version' | 'tags' | 'show' | 'embed' | 'embeddings' | 'chat' | 'generate' | 'other';
const ENDPOINTS: readonly Endpoint[] = ['root', 'version', 'tags', 'show', 'embed', 'embeddings', 'chat', 'generate', 'other'];

export interface FailSpec {
  endpoint?: Endpoint | '*';
  /** HTTP status; default 500. */
  status?: number;
  /** How many matching requests fail; default 1. */
  count?: number;
  /** The `error` text; default: what Ollama says for that status. */
  message?: string;
}

export interface DropSpec {
  endpoint?: Endpoint | '*';
  count?: number;
  /** "start": reset the connection before any response; "mid": after the headers and part of the body
   *  (for a stream: after the first chunk). Default "start". */
  at?: 'start' | 'mid';
}

export interface HangSpec {
  endpoint?: Endpoint | '*';
  /** Default: every matching request until reconfigured. */
  count?: number;
}

/**
 * Broken chat streams. "bad-line": one chunk is cut short (invalid NDJSON); "no-done": the stream ends
 * without the done:true line; "error-line": after the first chunk an {"error": …} line, as Ollama sends
 * when the runner dies mid-answer.
 */
export type Malformation = 'bad-line' | 'no-done' | 'error-line';

export interface OllamaDoubleOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** What /api/version reports. */
  version?: string;
  /** The pulled models; default DEFAULT_MODELS. Leave one out to simulate "not pulled". */
  models?: readonly ModelInput[];
  /** num_ctx when a request sets none (Ollama's default is 4096). */
  defaultNumCtx?: number;
  /** Simulated cost of embedding one text: a 64-text request takes 64 × this. */
  embedDelayMsPerText?: number;
  /** One embedding request at a time, like Ollama on one GPU (default true). */
  serializeEmbeds?: boolean;
  /** Time to first token of a chat answer. */
  chatDelayMs?: number;
  /** Time between streamed chunks. */
  tokenDelayMs?: number;
  /** Added to every request before it is handled. */
  latencyMs?: number;
  failNext?: FailSpec | null;
  /** A number n is shorthand for { endpoint: '*', count: n }. */
  dropConnection?: DropSpec | number | null;
  /** true: every request hangs (never answered) until reconfigured or close(). */
  hang?: HangSpec | boolean | null;
  /** Chat answers carry bad citations, mass mentions and links to unknown hosts (plus one valid [1]). */
  adversarial?: boolean;
  /**
   * How the chat model writes its answer (see answer-shapes.ts): reasoning in <think> tags or in the
   * thinking field, citation styles, its own source list, a citation of a source that does not exist,
   * or only reasoning / only a list / nothing. null: the plain answer with [n].
   */
  answerShape?: AnswerShape | null;
  malformed?: Malformation | false | null;
  /**
   * How the model writes an eval question (question-writer.ts): `mixed` (default) as instruction-tuned
   * models do, `quotes` as small local models do, a sentence of the passage with a question mark, always.
   */
  questionWriter?: QuestionWriter;
}

// ------------------------------------------------------------------------------------------- records

export interface RequestRecord {
  method: string;
  path: string;
  endpoint: Endpoint;
  /** The parsed JSON body (undefined for GET, the raw text if it was not JSON). */
  body: unknown;
  /** The status sent, once the response has finished; undefined if it never did (hang, drop). */
  status?: number;
  at: number;
}

export interface EmbedRecord {
  endpoint: 'embed' | 'embeddings';
  model: string;
  /** The exact strings received, prefixes included. */
  inputs: string[];
  truncate?: boolean;
  dimensions?: number;
  keep_alive?: unknown;
  options?: Record<string, unknown>;
}

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

export interface ChatRecord {
  endpoint: 'chat' | 'generate';
  model: string;
  /** For /api/generate: the system and prompt as messages. */
  messages: ChatMessage[];
  options: Record<string, unknown>;
  /** options.num_ctx as sent (undefined if the client sent none). */
  numCtx?: number;
  stream: boolean;
  format?: unknown;
  keep_alive?: unknown;
  think?: unknown;
  tools?: unknown[];
  /** Estimated prompt tokens, and whether that exceeds the context Ollama would use (it would truncate). */
  promptTokens: number;
  overflowsContext: boolean;
  /** The full answer the double sent (before any injected malformation, and before num_predict cut it). */
  answer: string;
  /** The reasoning it sent in the `thinking` field ("" when none). */
  thinking: string;
}

export interface OllamaDoubleStats {
  requests: Record<Endpoint, number>;
  totalRequests: number;
  /** Texts embedded successfully, over both embedding routes. */
  textsEmbedded: number;
  /** Sum of the simulated embedding cost actually served (embedDelayMsPerText × texts). */
  embedMs: number;
  /** Most embedding requests in flight at once (queued or running). */
  maxConcurrentEmbeds: number;
  /** Requests answered by an injected fault (failNext, dropConnection, hang). */
  faultsInjected: number;
}

// ------------------------------------------------------------------------------------------ helpers

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Go's encoding/json (used by gin) escapes <, > and & — clients must decode, not pattern-match. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const digestOf = (name: string) => createHash('sha256').update(name).digest('hex');
const MODIFIED_AT = '2025-10-14T09:30:12.123456789Z';

/** What Ollama says for an injected status when the test does not choose. */
function defaultFailureMessage(status: number): string {
  if (status === 503) return 'server busy, please try again.  maximum pending requests exceeded';
  if (status === 500) return 'llama runner process has terminated: exit status 2';
  return `injected failure (HTTP ${status})`;
}

function route(method: string, path: string): { endpoint: Endpoint; allowed: boolean } {
  const table: Record<string, [Endpoint, string[]]> = {
    '/': ['root', ['GET', 'HEAD']],
    '/api/version': ['version', ['GET', 'HEAD']],
    '/api/tags': ['tags', ['GET', 'HEAD']],
    '/api/show': ['show', ['POST']],
    '/api/embed': ['embed', ['POST']],
    '/api/embeddings': ['embeddings', ['POST']],
    '/api/chat': ['chat', ['POST']],
    '/api/generate': ['generate', ['POST']],
  };
  const hit = table[path];
  if (!hit) return { endpoint: 'other', allowed: false };
  return { endpoint: hit[0], allowed: hit[1].includes(method) };
}

// ------------------------------------------------------------------------------------------- answers

/**
 * The double's chat answer, derived from the messages only:
 * - Follow-up rewrite: if a system message (or the last user message) mentions "standalone question",
 *   the caller wants the follow-up condensed into a standalone question. A real model would rephrase it
 *   using the history; the double answers with the last user question unchanged (the text after a
 *   "Follow Up Input:" / "Question:" label if there is one), which keeps tests predictable.
 * - Sources: any line of a system or user message that starts with "[n]" or with a tag carrying id="n"
 *   (e.g. <source id="1" file="a.pdf">) opens source n. The answer quotes the first sentence of the first
 *   source and ends with its citation, e.g. "… within 14 days. [1]".
 * - No sources: a fixed "could not find" answer that mentions the question.
 * - "Write one question" (citebot eval --generate): a question about the passage, see question-writer.ts.
 */
export function composeAnswer(messages: readonly ChatMessage[], adversarial = false, questionWriter: QuestionWriter = 'mixed'): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const questionPrompt = messages.find((m) => m.role === 'system' && wantsQuestion(m.content));
  if (!adversarial && questionPrompt) return writeQuestion(lastUser, questionPrompt.content, questionWriter);
  const wantsStandalone = messages.some((m) => (m.role === 'system' || m === messages.at(-1)) && /standalone question/i.test(m.content));
  if (wantsStandalone && !adversarial) return standaloneQuestion(lastUser);

  const sources = findSources(
    messages
      .filter((m) => m.role === 'system' || m.role === 'user')
      .map((m) => m.content)
      .join('\n'),
  );
  const first = sources[0];
  let answer = first
    ? `According to the shared files, ${first.sentence} [${first.id}]`
    : `I could not find anything about "${oneLine(lastUser, 100)}" in the shared files.`;
  if (adversarial) {
    const base = first ? `According to the shared files, ${first.sentence}` : 'Here is what I found.';
    answer =
      `${base} [1] See also [0], [7] and [2][99]. @everyone @here <!channel> <!here> <!subteam^S123> <@&123> ` +
      `[click](https://evil.example/x) or <https://evil.example|here>.`;
  }
  return answer;
}

/**
 * What the model writes for `messages`: the double's answer in the configured shape. Reasoning goes to a
 * separate field (Ollama's `thinking`, an OpenAI server's `reasoning_content`) only where the server would
 * put it there (`reasoningField`); otherwise a 'thinking-field' shape answers without reasoning.
 */
export function modelOutput(
  messages: readonly ChatMessage[],
  options: { shape: AnswerShape | null; adversarial: boolean; reasoningField: boolean; questionWriter?: QuestionWriter },
): { thinking: string; content: string } {
  const answer = composeAnswer(messages, options.adversarial, options.questionWriter);
  const shape = options.shape;
  if (!shape) return { thinking: '', content: answer };
  if (shape.reasoning === 'thinking-field' && !options.reasoningField)
    return shapeAnswer(answer, questionOf(messages), promptSources(messages), { ...shape, reasoning: undefined });
  return shapeAnswer(answer, questionOf(messages), promptSources(messages), shape);
}

/** The sources numbered in the prompt (system and user messages). */
function promptSources(messages: readonly ChatMessage[]): PromptSource[] {
  return findSources(
    messages
      .filter((m) => m.role === 'system' || m.role === 'user')
      .map((m) => m.content)
      .join('\n'),
  );
}

/** The question of the last user message: the text after "Question:", or all of it. */
function questionOf(messages: readonly ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return oneLine(/^Question:\s*(.+)$/m.exec(lastUser)?.[1] ?? lastUser, 200);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function standaloneQuestion(lastUser: string): string {
  const labelled = [...lastUser.matchAll(/^\s*(?:follow[ -]?up(?: input| question)?|question)\s*:\s*(.+)$/gim)].at(-1);
  return oneLine(labelled?.[1] ?? lastUser, 2000);
}

type FoundSource = PromptSource;

const SOURCE_MARKER = /^[ \t]*(?:[-*][ \t]+)?(?:\[(\d+)\]|<[\w:-]+[^>\n]*?\bid=["']?(\d+)["']?[^>\n]*>|id=["']?(\d+)["']?)/gim;
const METADATA_LINE = /^\s*(?:file|title|source|page|section|location|url|name|from|slide|sheet)\s*:/i;

export function findSources(text: string): FoundSource[] {
  const markers = [...text.matchAll(SOURCE_MARKER)];
  return markers.map((m, i) => {
    const start = m.index + m[0].length;
    const end = markers[i + 1]?.index ?? text.length;
    const body = text.slice(start, end).split(/<\/[\w:-]+>/)[0] ?? '';
    let lines = body.split('\n').filter((line) => line.trim() && !METADATA_LINE.test(line));
    // "[1] handbook.pdf, p. 3" over the text: a marker line without a sentence of its own is a header.
    if (lines.length > 1 && !/[.!?。！？]\s*$/u.test(lines[0]!)) lines = lines.slice(1);
    const flat = lines.join(' ').replace(/\s+/g, ' ').trim();
    // A Latin sentence ends at ". " (so "p.3" does not end one); a CJK one at 。！？ with no space after.
    const sentence = /^.+?(?:[.!?](?=\s|$)|[。！？])/u.exec(flat)?.[0] ?? oneLine(flat, 200);
    const id = Number(m[1] ?? m[2] ?? m[3]);
    const file =
      /\bfile=["']([^"'\n]*)["']/.exec(m[0])?.[1] ?? /^\s*\[\d+\][ \t]+([^\s,]+)/.exec(text.slice(m.index, end))?.[1] ?? `source-${id}`;
    return { id, file, sentence: sentence || '(empty source)' };
  });
}

/** Stream pieces of about three words each; joined they give the answer back exactly. */
export function splitIntoChunks(answer: string): string[] {
  const words = answer.match(/\s*\S+\s*/g) ?? [answer];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += 3) chunks.push(words.slice(i, i + 3).join(''));
  return chunks.length ? chunks : [''];
}

/** Prompt tokens as a chat template would count them: the contents plus ~4 tokens of framing a message. */
function promptTokensOf(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
}

// -------------------------------------------------------------------------------------------- server

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  endpoint: Endpoint;
  started: bigint;
  /** Injected "drop after part of the response". */
  dropMid: boolean;
  /** The client went away (or the double went down) before the response finished. */
  gone: () => boolean;
}

export class OllamaDouble {
  private readonly server: Server;
  private opts: Required<Omit<OllamaDoubleOptions, 'failNext' | 'dropConnection' | 'hang' | 'models' | 'malformed' | 'answerShape'>> & {
    malformed: Malformation | null;
    answerShape: AnswerShape | null;
  };
  private models: ModelSpec[] = [];
  private failNext: (FailSpec & { remaining: number }) | null = null;
  private drop: (DropSpec & { remaining: number }) | null = null;
  private hang: (HangSpec & { remaining: number }) | null = null;
  private gpuQueue: Promise<void> = Promise.resolve();
  private inFlightEmbeds = 0;
  private readonly lifetime = new AbortController();
  private closed = false;
  private boundPort = 0;

  private statsData: OllamaDoubleStats = OllamaDouble.emptyStats();
  /** Every request received, in order. */
  readonly requests: RequestRecord[] = [];
  /** Every embedding request that reached the model (validated), in order. */
  readonly embedRequests: EmbedRecord[] = [];
  /** Every chat/generate request that reached the model, in order. */
  readonly chatRequests: ChatRecord[] = [];

  private constructor(options: OllamaDoubleOptions) {
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      version: '0.12.6',
      defaultNumCtx: 4096,
      embedDelayMsPerText: 0,
      serializeEmbeds: true,
      chatDelayMs: 0,
      tokenDelayMs: 0,
      latencyMs: 0,
      adversarial: false,
      malformed: null,
      answerShape: null,
      questionWriter: 'mixed',
    };
    // Every request in flight waits on this signal; many concurrent chats are normal, not a leak.
    setMaxListeners(0, this.lifetime.signal);
    this.configure({ ...options, models: options.models ?? DEFAULT_MODELS });
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  static async start(options: OllamaDoubleOptions = {}): Promise<OllamaDouble> {
    const double = new OllamaDouble(options);
    await double.listen(double.opts.port);
    return double;
  }

  /** http://127.0.0.1:PORT — the port stays the same across down()/up(). */
  get url(): string {
    return `http://${this.opts.host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  get isUp(): boolean {
    return this.server.listening;
  }

  /** Change options at runtime; only the keys given change. null clears a fault. host/port are fixed at start. */
  configure(options: Partial<OllamaDoubleOptions>): void {
    const { failNext, dropConnection, hang, models, malformed, host: _host, port: _port, ...plain } = options;
    for (const [key, value] of Object.entries(plain)) {
      if (value !== undefined) (this.opts as unknown as Record<string, unknown>)[key] = value;
    }
    if (malformed !== undefined) this.opts.malformed = malformed || null;
    if (models !== undefined) this.models = models.map(modelSpec);
    if (failNext !== undefined) this.failNext = failNext && { ...failNext, remaining: failNext.count ?? 1 };
    if (dropConnection !== undefined) {
      const spec = typeof dropConnection === 'number' ? { count: dropConnection } : dropConnection;
      this.drop = spec && { ...spec, remaining: spec.count ?? 1 };
    }
    if (hang !== undefined) {
      const spec = hang === true ? {} : hang || null;
      this.hang = spec && { ...spec, remaining: spec.count ?? Infinity };
    }
  }

  /** A snapshot of the counters. */
  get stats(): OllamaDoubleStats {
    return { ...this.statsData, requests: { ...this.statsData.requests } };
  }

  /** The inputs of each embedding request, in order (one array per request). */
  get embedInputs(): string[][] {
    return this.embedRequests.map((r) => r.inputs);
  }

  /** Clear counters and records (not the configured options or faults). */
  reset(): void {
    this.statsData = OllamaDouble.emptyStats();
    this.requests.length = 0;
    this.embedRequests.length = 0;
    this.chatRequests.length = 0;
  }

  /** The vector /api/embed serves for `text` (after truncation to the model's context, and `dimensions`). */
  expectedEmbedding(text: string, model: string, options: { dimensions?: number; numCtx?: number } = {}): number[] {
    const spec = this.findModel(model) ?? modelSpec(model);
    const limit = Math.min(options.numCtx ?? this.opts.defaultNumCtx, spec.contextLength);
    return this.embedOne(truncateToTokens(text, limit), spec, options.dimensions);
  }

  /** Stop listening and reset every open connection: clients get ECONNREFUSED until up(). */
  async down(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
    // Clients in this process pool keep-alive sockets; let them see the close before the caller's next
    // request, which should then dial anew and get ECONNREFUSED rather than reuse a dead socket.
    await new Promise((done) => setTimeout(done, 5));
  }

  /** Listen again, on the same port. */
  async up(): Promise<void> {
    if (this.closed) throw new Error('the Ollama double was closed');
    if (!this.server.listening) await this.listen(this.boundPort);
  }

  /** Stop for good: pending delays end at once, hanging requests are reset. */
  async close(): Promise<void> {
    this.closed = true;
    this.lifetime.abort();
    await this.down();
  }

  private static emptyStats(): OllamaDoubleStats {
    return {
      requests: Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<Endpoint, number>,
      totalRequests: 0,
      textsEmbedded: 0,
      embedMs: 0,
      maxConcurrentEmbeds: 0,
      faultsInjected: 0,
    };
  }

  private listen(port: number): Promise<void> {
    return new Promise((done, fail) => {
      this.server.once('error', fail);
      this.server.listen(port, this.opts.host, () => {
        this.server.off('error', fail);
        this.boundPort = (this.server.address() as AddressInfo).port;
        done();
      });
    });
  }

  private findModel(name: unknown): ModelSpec | undefined {
    if (typeof name !== 'string' || !name.trim()) return undefined;
    const wanted = canonicalModelName(name);
    return this.models.find((m) => m.name === wanted);
  }

  /** Consume one use of a fault if it applies to this endpoint. */
  private take<T extends { endpoint?: Endpoint | '*'; remaining: number }>(fault: T | null, endpoint: Endpoint): T | null {
    if (!fault || fault.remaining <= 0) return null;
    if ((fault.endpoint ?? '*') !== '*' && fault.endpoint !== endpoint) return null;
    fault.remaining--;
    this.statsData.faultsInjected++;
    return fault;
  }

  // ------------------------------------------------------------------------------------ dispatch

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {}); // the client may reset mid-response; nothing to report
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const { endpoint, allowed } = route(method, path);
    this.statsData.requests[endpoint]++;
    this.statsData.totalRequests++;
    let finished = false;
    res.on('finish', () => (finished = true));
    let clientGone = false;
    res.on('close', () => (clientGone = !finished));
    const ctx: Ctx = { req, res, endpoint, started: process.hrtime.bigint(), dropMid: false, gone: () => clientGone || this.closed };

    const raw = await readBody(req);
    let body: unknown = undefined;
    let badJson: string | undefined;
    if (raw.length) {
      try {
        body = JSON.parse(raw);
      } catch (err) {
        body = raw;
        badJson = (err as Error).message;
      }
    }
    const record: RequestRecord = { method, path, endpoint, body, at: Date.now() };
    this.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));

    try {
      await sleep(this.opts.latencyMs, this.lifetime.signal);
      if (ctx.gone()) return;
      if (this.take(this.hang, endpoint)) return; // never answer; close() or the client ends it
      const drop = this.take(this.drop, endpoint);
      if (drop && (drop.at ?? 'start') === 'start') {
        req.socket.destroy();
        return;
      }
      ctx.dropMid = Boolean(drop);
      const fail = this.take(this.failNext, endpoint);
      if (fail) {
        const status = fail.status ?? 500;
        return this.sendJson(ctx, status, { error: fail.message ?? defaultFailureMessage(status) });
      }

      if (!allowed) {
        const [status, text] = endpoint === 'other' ? [404, '404 page not found'] : [405, '405 method not allowed'];
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
        return;
      }
      if (method === 'POST' && !raw.length) throw new HttpError(400, 'missing request body');
      if (badJson !== undefined) throw new HttpError(400, badJson);
      if (method === 'POST' && !isRecord(body))
        throw new HttpError(400, 'json: cannot unmarshal request body into Go value of type api.Request');

      switch (endpoint) {
        case 'root':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(method === 'HEAD' ? undefined : 'Ollama is running');
          return;
        case 'version':
          return this.sendJson(ctx, 200, { version: this.opts.version });
        case 'tags':
          return this.sendJson(ctx, 200, { models: this.models.map(tagEntry) });
        case 'show':
          return this.sendJson(ctx, 200, this.show(body as Record<string, unknown>));
        case 'embed':
          return await this.embed(ctx, body as Record<string, unknown>);
        case 'embeddings':
          return await this.legacyEmbeddings(ctx, body as Record<string, unknown>);
        case 'chat':
        case 'generate':
          return await this.chat(ctx, body as Record<string, unknown>);
      }
    } catch (err) {
      if (err instanceof HttpError) return this.sendJson(ctx, err.status, { error: err.message });
      return this.sendJson(ctx, 500, { error: (err as Error).message });
    }
  }

  /** Write a JSON response the way gin does; honours an injected mid-body drop. */
  private sendJson(ctx: Ctx, status: number, value: unknown): void {
    const { res } = ctx;
    if (ctx.gone() || res.headersSent) return;
    const payload = Buffer.from(goJson(value));
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': payload.length });
    if (ctx.req.method === 'HEAD') return void res.end();
    if (ctx.dropMid) {
      // Destroy only once the part is on the wire, or the client would never see the headers.
      res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(payload);
  }

  // -------------------------------------------------------------------------------------- routes

  private show(body: Record<string, unknown>): Record<string, unknown> {
    const name = body.model || body.name;
    if (typeof name !== 'string' || !name) throw new HttpError(400, 'model is required');
    const spec = this.findModel(name);
    if (!spec) throw new HttpError(404, `model '${name}' not found`);
    return showResponse(spec);
  }

  private requireModel(body: Record<string, unknown>, notFound: (name: string) => string): ModelSpec {
    const name = body.model;
    if (typeof name !== 'string' || !name.trim()) throw new HttpError(400, 'model is required');
    const spec = this.findModel(name);
    if (!spec) throw new HttpError(404, notFound(name));
    return spec;
  }

  private embedOne(text: string, spec: ModelSpec, dimensions?: number): number[] {
    const vector = hashEmbedding(text, spec.name, spec.dimension);
    // Like Ollama: `dimensions` smaller than the model's keeps the first n values, re-normalized.
    return dimensions && dimensions > 0 && dimensions < vector.length ? normalize(vector.slice(0, dimensions)) : vector;
  }

  /** The vectors for `texts`: hashed, or from the semantic encoder for a model that says so. */
  private async embedMany(texts: string[], spec: ModelSpec, dimensions?: number): Promise<number[][]> {
    if (spec.embeddings !== 'semantic') return texts.map((text) => this.embedOne(text, spec, dimensions));
    const { semanticEmbeddings } = await import('./use-embeddings.js');
    const vectors = await semanticEmbeddings(texts);
    return dimensions && dimensions > 0 && dimensions < spec.dimension ? vectors.map((v) => normalize(v.slice(0, dimensions))) : vectors;
  }

  /** Run `texts` embeddings' worth of simulated GPU time, queued behind other embedding requests. */
  private async embeddingWork(ctx: Ctx, texts: number): Promise<boolean> {
    const cost = texts * this.opts.embedDelayMsPerText;
    this.inFlightEmbeds++;
    this.statsData.maxConcurrentEmbeds = Math.max(this.statsData.maxConcurrentEmbeds, this.inFlightEmbeds);
    try {
      const work = async () => {
        // Ollama drops work whose client has gone (context cancelled), so it costs nothing.
        if (ctx.gone()) return false;
        await sleep(cost, this.lifetime.signal);
        this.statsData.embedMs += cost;
        return true;
      };
      if (!this.opts.serializeEmbeds) return await work();
      const turn = this.gpuQueue.then(work);
      this.gpuQueue = turn.then(
        () => undefined,
        () => undefined,
      );
      return await turn;
    } finally {
      this.inFlightEmbeds--;
    }
  }

  private numCtx(options: unknown): number | undefined {
    const n = isRecord(options) ? options.num_ctx : undefined;
    return typeof n === 'number' && n > 0 ? n : undefined;
  }

  private async embed(ctx: Ctx, body: Record<string, unknown>): Promise<void> {
    const spec = this.requireModel(body, (name) => `model "${name}" not found, try pulling it first`);
    const input = body.input;
    let inputs: string[];
    if (typeof input === 'string')
      inputs = input ? [input] : []; // Ollama: input "" embeds nothing
    else if (Array.isArray(input) && input.every((v) => typeof v === 'string')) inputs = input as string[];
    else if (input === undefined || input === null) inputs = [];
    else throw new HttpError(400, 'invalid input type');
    if (!inputs.length) return this.sendJson(ctx, 200, { model: body.model, embeddings: [] });
    // Ollama finds out only when the runner tries: a 501 from the runner, passed through.
    if (!isEmbedder(spec)) throw new HttpError(501, 'this model does not support embeddings');

    const truncate = typeof body.truncate === 'boolean' ? body.truncate : undefined;
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    this.embedRequests.push({
      endpoint: 'embed',
      model: body.model as string,
      inputs: [...inputs],
      truncate,
      dimensions,
      keep_alive: body.keep_alive,
      options: isRecord(body.options) ? body.options : undefined,
    });

    // Too long for the context: Ollama truncates unless the request says truncate:false.
    const limit = Math.min(this.numCtx(body.options) ?? this.opts.defaultNumCtx, spec.contextLength);
    const fitted = inputs.map((text) => {
      if (estimateTokens(text) <= limit) return text;
      if (truncate === false) throw new HttpError(400, 'the input length exceeds the context length');
      return truncateToTokens(text, limit);
    });

    if (!(await this.embeddingWork(ctx, fitted.length))) return;
    const embeddings = await this.embedMany(fitted, spec, dimensions);
    // Counted only once the whole response is handed to the OS: a request cut off (the server went down
    // meanwhile, even halfway through writing a large response) is retried elsewhere.
    if (ctx.gone()) return;
    ctx.res.once('finish', () => (this.statsData.textsEmbedded += fitted.length));
    this.sendJson(ctx, 200, {
      model: body.model,
      embeddings,
      total_duration: Number(process.hrtime.bigint() - ctx.started) + 1_204_583,
      load_duration: 1_204_583,
      prompt_eval_count: fitted.reduce((sum, text) => sum + estimateTokens(text), 0),
    });
  }

  /** The deprecated /api/embeddings: one prompt, one vector, and (as in Ollama) not normalized. */
  private async legacyEmbeddings(ctx: Ctx, body: Record<string, unknown>): Promise<void> {
    const spec = this.requireModel(body, (name) => `model "${name}" not found, try pulling it first`);
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    if (!prompt) return this.sendJson(ctx, 200, { embedding: [] });
    if (!isEmbedder(spec)) throw new HttpError(500, 'this model does not support embeddings');
    this.embedRequests.push({ endpoint: 'embeddings', model: body.model as string, inputs: [prompt], keep_alive: body.keep_alive });
    const limit = Math.min(this.numCtx(body.options) ?? this.opts.defaultNumCtx, spec.contextLength);
    if (estimateTokens(prompt) > limit) throw new HttpError(500, 'the input length exceeds the context length');
    if (!(await this.embeddingWork(ctx, 1))) return;
    this.statsData.textsEmbedded++;
    // Raw model output has a text-dependent length; only its direction is comparable.
    const scale = 1 + (estimateTokens(prompt) % 17);
    const [vector] = await this.embedMany([prompt], spec);
    this.sendJson(ctx, 200, { embedding: vector!.map((v) => v * scale) });
  }

  private async chat(ctx: Ctx, body: Record<string, unknown>): Promise<void> {
    const isGenerate = ctx.endpoint === 'generate';
    const spec = this.requireModel(body, (name) => `model '${name}' not found`);
    const model = body.model as string;
    if (!spec.capabilities.includes('completion'))
      throw new HttpError(400, `"${model}" does not support ${isGenerate ? 'generate' : 'chat'}`);
    if (body.think === true && !spec.capabilities.includes('thinking')) throw new HttpError(400, `"${model}" does not support thinking`);

    const messages = isGenerate ? generateMessages(body) : parseMessages(body.messages);
    const stream = body.stream !== false; // Ollama streams unless told not to
    const options = isRecord(body.options) ? body.options : {};
    const numCtx = this.numCtx(options);
    if (!messages.length) {
      // Ollama treats an empty request as "load the model".
      const field = isGenerate ? { response: '' } : { message: { role: 'assistant', content: '' } };
      return this.sendJson(ctx, 200, { model, created_at: new Date().toISOString(), ...field, done: true, done_reason: 'load' });
    }

    const output = this.output(messages, spec, body.think);
    const answer = output.content;
    const promptTokens = promptTokensOf(messages);
    const contextTokens = Math.min(numCtx ?? this.opts.defaultNumCtx, spec.contextLength);
    this.chatRequests.push({
      endpoint: isGenerate ? 'generate' : 'chat',
      model,
      messages,
      options,
      numCtx,
      stream,
      format: body.format,
      keep_alive: body.keep_alive,
      think: body.think,
      tools: Array.isArray(body.tools) ? body.tools : undefined,
      promptTokens,
      overflowsContext: promptTokens > contextTokens,
      answer,
      thinking: output.thinking,
    });

    // A format asks for JSON output; the double wraps its answer rather than guess a schema.
    const content = body.format ? goJson({ answer }) : answer;
    const chunks = splitIntoChunks(content);
    const thinkingChunks = output.thinking ? splitIntoChunks(output.thinking) : [];
    const piece = (text: string, thinking = '') =>
      isGenerate
        ? { response: text, ...(thinking ? { thinking } : {}) }
        : { message: { role: 'assistant', content: text, ...(thinking ? { thinking } : {}) } };
    // Like Ollama, num_predict bounds everything generated, reasoning included: a long think can leave no answer.
    const budget = typeof options.num_predict === 'number' && options.num_predict > 0 ? options.num_predict : Infinity;
    let generated = 0;
    const spend = (text: string) => (generated += estimateTokens(text)) <= budget;
    // Durations in ns like Ollama's. The double does not sleep for prompt evaluation (nor for decoding
    // unless tokenDelayMs is set), so those are simulated and added to the measured wall time.
    const loadNs = 2_512_917;
    const promptEvalNs = Math.min(promptTokens, contextTokens) * 250_000;
    const simulatedEvalNs = this.opts.tokenDelayMs ? 0 : chunks.length * 20_000_000;
    const final = (doneReason = 'stop') => {
      const elapsedNs = Number(process.hrtime.bigint() - ctx.started);
      return {
        model,
        created_at: new Date().toISOString(),
        ...piece(''),
        done: true,
        done_reason: doneReason,
        total_duration: elapsedNs + loadNs + promptEvalNs + simulatedEvalNs,
        load_duration: loadNs,
        prompt_eval_count: Math.min(promptTokens, contextTokens),
        prompt_eval_duration: promptEvalNs,
        eval_count: Math.min(generated || estimateTokens(output.thinking) + estimateTokens(content), budget),
        eval_duration: simulatedEvalNs || chunks.length * this.opts.tokenDelayMs * 1_000_000,
      };
    };

    await sleep(this.opts.chatDelayMs, this.lifetime.signal);
    if (ctx.gone()) return;

    if (!stream) {
      await sleep(this.opts.tokenDelayMs * chunks.length + this.thinkingMs(), this.lifetime.signal);
      if (this.opts.malformed === 'error-line')
        return this.sendJson(ctx, 500, { error: 'an error was encountered while running the model: unexpected EOF' });
      if (this.opts.malformed === 'bad-line') {
        ctx.res
          .writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
          .end(goJson({ ...final(), ...piece(content, output.thinking) }).slice(0, 40));
        return;
      }
      const thinking = truncateToTokens(output.thinking, budget);
      const left = Math.max(0, budget - estimateTokens(thinking));
      const text = estimateTokens(output.thinking) >= budget ? '' : truncateToTokens(content, left);
      generated = estimateTokens(thinking) + estimateTokens(text);
      const done = this.opts.malformed === 'no-done' ? { done: false } : {};
      const reason = text.length < content.length ? 'length' : 'stop';
      return this.sendJson(ctx, 200, { ...final(reason), ...piece(text, thinking), ...done });
    }

    const { res } = ctx;
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const line = (fields: object) => goJson({ model, created_at: new Date().toISOString(), ...fields, done: false });

    // Reasoning first, in the thinking field: one pass over it, or repeated for thinkingMs.
    const thinkUntil = performance.now() + this.thinkingMs();
    for (let i = 0; thinkingChunks.length && (i < thinkingChunks.length || performance.now() < thinkUntil); i++) {
      if (i > 0) await sleep(this.opts.answerShape?.thinkingMs ? this.thinkingChunkMs() : this.opts.tokenDelayMs, this.lifetime.signal);
      if (ctx.gone()) return;
      const text = thinkingChunks[i % thinkingChunks.length]!;
      if (!spend(text)) return void res.end(`${goJson(final('length'))}\n`);
      res.write(`${line(piece('', text))}\n`);
    }

    const badIndex = Math.floor(chunks.length / 2);
    for (const [i, text] of chunks.entries()) {
      if (i > 0 || thinkingChunks.length) await sleep(this.opts.tokenDelayMs, this.lifetime.signal);
      if (ctx.gone()) return;
      if (!spend(text)) return void res.end(`${goJson(final('length'))}\n`);
      const out = line(piece(text));
      const written = this.opts.malformed === 'bad-line' && i === badIndex ? out.slice(0, Math.ceil(out.length / 2)) : out;
      if (ctx.dropMid) return void res.write(`${written}\n`, () => res.socket?.destroy());
      res.write(`${written}\n`);
      if (this.opts.malformed === 'error-line') {
        res.end(`${goJson({ error: 'an error was encountered while running the model: unexpected EOF' })}\n`);
        return;
      }
    }
    if (this.opts.malformed === 'no-done') return void res.end();
    res.end(`${goJson(final())}\n`);
  }

  /**
   * What the model writes: the double's answer in the configured shape. Reasoning goes to the thinking
   * field only where Ollama would put it there: a model with the thinking capability not told `think: false`.
   */
  private output(messages: readonly ChatMessage[], spec: ModelSpec, think: unknown): { thinking: string; content: string } {
    const reasoningField = think !== false && spec.capabilities.includes('thinking');
    return modelOutput(messages, {
      shape: this.opts.answerShape,
      adversarial: this.opts.adversarial,
      reasoningField,
      questionWriter: this.opts.questionWriter,
    });
  }

  private thinkingMs(): number {
    return this.opts.answerShape?.reasoning === 'thinking-field' ? (this.opts.answerShape.thinkingMs ?? 0) : 0;
  }

  private thinkingChunkMs(): number {
    return this.opts.answerShape?.thinkingChunkMs ?? 200;
  }
}

// ------------------------------------------------------------------------------- request parsing

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => done(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => done(''));
  });
}

/** Messages as Ollama's Go decoder would accept them: content must be a string. */
function parseMessages(value: unknown): ChatMessage[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new HttpError(400, 'json: cannot unmarshal object into Go struct field ChatRequest.messages of type []api.Message');
  return value.map((m) => {
    if (!isRecord(m))
      throw new HttpError(400, 'json: cannot unmarshal value into Go struct field ChatRequest.messages of type api.Message');
    if (m.content !== undefined && typeof m.content !== 'string') {
      throw new HttpError(
        400,
        `json: cannot unmarshal ${Array.isArray(m.content) ? 'array' : typeof m.content} into Go struct field Message.messages.content of type string`,
      );
    }
    return { ...m, role: String(m.role ?? ''), content: (m.content as string | undefined) ?? '' };
  });
}

function generateMessages(body: Record<string, unknown>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (typeof body.system === 'string' && body.system) messages.push({ role: 'system', content: body.system });
  if (typeof body.prompt === 'string' && body.prompt) messages.push({ role: 'user', content: body.prompt });
  return messages.some((m) => m.role === 'user') ? messages : [];
}

// ------------------------------------------------------------------------------ model metadata

function details(spec: ModelSpec) {
  return {
    parent_model: '',
    format: 'gguf',
    family: spec.family,
    families: [spec.family],
    parameter_size: spec.parameterSize,
    quantization_level: spec.quantization,
  };
}

function tagEntry(spec: ModelSpec) {
  return {
    name: spec.name,
    model: spec.name,
    modified_at: MODIFIED_AT,
    size: spec.size,
    digest: spec.digest ?? digestOf(spec.name),
    details: details(spec),
  };
}

function parameterCount(size: string): number {
  const m = /^([\d.]+)\s*([KMB])?/i.exec(size);
  const scale = { K: 1e3, M: 1e6, B: 1e9 }[(m?.[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  return Math.round(Number(m?.[1] ?? 0) * scale);
}

function showResponse(spec: ModelSpec): Record<string, unknown> {
  const arch = spec.family;
  const embedder = isEmbedder(spec);
  const blob = `/root/.ollama/models/blobs/sha256-${digestOf(`${spec.name}/weights`)}`;
  const template = embedder
    ? '{{ .Prompt }}'
    : '{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n';
  const parameters = embedder
    ? 'num_ctx                        8192'
    : 'stop                           "<|im_start|>"\nstop                           "<|im_end|>"';
  const modelfile =
    `# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM ${spec.name}\n\n` +
    `FROM ${blob}\nTEMPLATE """${template}"""\n${parameters.replace(/^(\w+)\s+/gm, 'PARAMETER $1 ')}\n`;
  const layers = embedder ? 12 : 28;
  return {
    license: '',
    modelfile,
    parameters,
    template,
    details: details(spec),
    model_info: {
      'general.architecture': arch,
      'general.file_type': spec.quantization === 'F16' ? 1 : 15,
      'general.parameter_count': parameterCount(spec.parameterSize),
      'general.quantization_version': 2,
      [`${arch}.attention.head_count`]: embedder ? 12 : 28,
      [`${arch}.block_count`]: layers,
      [`${arch}.context_length`]: spec.contextLength,
      [`${arch}.embedding_length`]: spec.dimension,
      ...(embedder ? { [`${arch}.pooling_type`]: 1 } : {}),
      'tokenizer.ggml.model': embedder ? 'bert' : 'gpt2',
      // Ollama empties long arrays unless the request says verbose.
      'tokenizer.ggml.tokens': [],
      'tokenizer.ggml.token_type': [],
    },
    capabilities: spec.capabilities,
    modified_at: MODIFIED_AT,
  };
}

// -------------------------------------------------------------------------------------- standalone

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '11434' },
      host: { type: 'string', default: '127.0.0.1' },
      'embed-ms': { type: 'string' },
      'chat-ms': { type: 'string' },
      'token-ms': { type: 'string' },
      'latency-ms': { type: 'string' },
      'no-serialize': { type: 'boolean', default: false },
      models: { type: 'string' },
      adversarial: { type: 'boolean', default: false },
      semantic: { type: 'boolean', default: false },
    },
  });
  const ms = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const double = await OllamaDouble.start({
    host: values.host,
    port: Number(values.port),
    embedDelayMsPerText: ms(values['embed-ms']),
    chatDelayMs: ms(values['chat-ms']),
    tokenDelayMs: ms(values['token-ms']),
    latencyMs: ms(values['latency-ms']),
    serializeEmbeds: !values['no-serialize'],
    models: [
      ...(values.models
        ?.split(',')
        .map((m) => m.trim())
        .filter(Boolean) ?? DEFAULT_MODELS),
      ...(values.semantic ? [USE_LITE] : []),
    ],
    adversarial: values.adversarial,
  });
  console.log(`Ollama double listening on ${double.url}`);
  const stop = async () => {
    await double.close();
    const s = double.stats;
    console.log(`stopped: ${s.totalRequests} requests, ${s.textsEmbedded} texts embedded, ${s.embedMs} ms simulated embedding`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
