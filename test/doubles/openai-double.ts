/**
 * A test double for an OpenAI-compatible model server (vLLM, llama.cpp's llama-server, LM Studio, LiteLLM,
 * text-embeddings-inference), speaking the API on loopback so tests run the real @langchain/openai and
 * OpenAI SDK against it. Answers and vectors come from the Ollama double's text features (the same answer
 * shapes, the same hashed embeddings), so a test may compare the two providers.
 *
 * It misbehaves as the real servers do:
 * - reasoning in `reasoning_content` (vLLM with a reasoning parser, DeepSeek) or as <think> in the content;
 * - the citation styles of answer-shapes.ts;
 * - `finish_reason: "length"` when max_tokens cuts the answer (`cutAfterChars` forces a cut);
 * - 429 with Retry-After (rate limits: LiteLLM, hosted APIs) and 503 with Retry-After while a model loads;
 * - `usage` empty or null (llama.cpp and LM Studio versions; streams without stream_options);
 * - an unknown model is vLLM's 404 NotFoundError ("The model `x` does not exist.").
 *
 *   const server = await OpenAIDouble.start({ chatModels: ['Qwen/Qwen3-8B'], embedModels: ['BAAI/bge-m3'] });
 *   server.configure({ answerShape: { reasoning: 'thinking-field', citationStyle: 'footnote' } });
 *   server.configure({ rateLimit: { count: 1, retryAfterS: 1 } });   // the next request is a 429
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnswerShape } from './answer-shapes.js';
import { modelOutput, readBody, splitIntoChunks, type ChatMessage } from './ollama-double.js';
import { estimateTokens, hashEmbedding } from './text-features.js';

export interface TemporaryFailure {
  /** Requests answered with the failure before the server recovers. */
  count: number;
  /** The Retry-After header, in seconds. */
  retryAfterS: number;
}

export interface OpenAIDoubleOptions {
  chatModels?: string[];
  embedModels?: string[];
  /** What /v1/models says of the chat models' window (vLLM's max_model_len); undefined: not said (llama.cpp, TEI). */
  maxModelLen?: number;
  /** Vector size of the embedding models. */
  dimension?: number;
  /** Serve /v1/models (text-embeddings-inference does not). */
  listModels?: boolean;
  answerShape?: AnswerShape | null;
  /** Where reasoning goes when the shape says 'thinking-field': `reasoning_content` (vLLM's parser, DeepSeek). */
  reasoningField?: boolean;
  /** Cut the answer after this many characters, with finish_reason "length". */
  cutAfterChars?: number;
  /** What `usage` is in responses: real counts, an empty object, or null. */
  usage?: 'counts' | 'empty' | 'null';
  rateLimit?: TemporaryFailure | null;
  loading?: TemporaryFailure | null;
  /** A Bearer token every request must carry (LiteLLM, hosted APIs). */
  apiKey?: string;
  /** Simulated cost of one embedded text; requests run one at a time (one GPU). */
  embedDelayMsPerText?: number;
}

export interface OpenAIChatRecord {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  maxTokens?: number;
  body: Record<string, unknown>;
}

type Resolved = Required<Omit<OpenAIDoubleOptions, 'maxModelLen' | 'apiKey' | 'answerShape' | 'rateLimit' | 'loading' | 'cutAfterChars'>> &
  Pick<OpenAIDoubleOptions, 'maxModelLen' | 'apiKey' | 'cutAfterChars'> & {
    answerShape: AnswerShape | null;
    rateLimit: TemporaryFailure | null;
    loading: TemporaryFailure | null;
  };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class OpenAIDouble {
  private readonly server: Server;
  private opts: Resolved;
  private port = 0;
  private gpu: Promise<void> = Promise.resolve();
  readonly chatRequests: OpenAIChatRecord[] = [];
  /** The inputs of each embedding request, in order. */
  readonly embedInputs: string[][] = [];
  /** Every request's method and path, and the status sent. */
  readonly requests: { method: string; path: string; status?: number }[] = [];

  private constructor(options: OpenAIDoubleOptions) {
    this.opts = {
      chatModels: ['Qwen/Qwen3-8B'],
      embedModels: ['BAAI/bge-m3'],
      dimension: 384,
      listModels: true,
      reasoningField: true,
      usage: 'counts',
      embedDelayMsPerText: 0,
      answerShape: null,
      rateLimit: null,
      loading: null,
      ...options,
    } as Resolved;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(options: OpenAIDoubleOptions = {}): Promise<OpenAIDouble> {
    const double = new OpenAIDouble(options);
    await double.listen(0);
    return double;
  }

  /** The base URL a client is given: http://127.0.0.1:PORT/v1. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  configure(options: Partial<OpenAIDoubleOptions>): void {
    this.opts = { ...this.opts, ...options } as Resolved;
  }

  /** Texts embedded so far. */
  get textsEmbedded(): number {
    return this.embedInputs.reduce((n, inputs) => n + inputs.length, 0);
  }

  /** The vector /v1/embeddings serves for `text` (the Ollama double's hashed bag of words). */
  expectedEmbedding(text: string, model: string): number[] {
    return hashEmbedding(text, model, this.opts.dimension);
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  private listen(port: number): Promise<void> {
    return new Promise((done) => {
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        done();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const record: { method: string; path: string; status?: number } = { method: req.method ?? 'GET', path };
    this.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    const raw = await readBody(req);
    const error = (status: number, message: string, type: string, headers: Record<string, string> = {}): void =>
      void res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify({ object: 'error', message, type, param: null, code: status }));

    if (this.opts.apiKey && req.headers.authorization !== `Bearer ${this.opts.apiKey}`) {
      return error(401, 'Authentication Error, Invalid proxy server token passed.', 'auth_error');
    }
    for (const [key, status, message] of [
      ['rateLimit', 429, 'Rate limit exceeded: try again later'],
      ['loading', 503, 'The model is loading, please retry'],
    ] as const) {
      const fault = this.opts[key];
      if (fault && fault.count > 0 && path !== '/v1/models') {
        fault.count--;
        return error(status, message, status === 429 ? 'RateLimitError' : 'ServiceUnavailableError', {
          'retry-after': String(fault.retryAfterS),
        });
      }
    }
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return error(400, 'Invalid JSON body', 'BadRequestError');
    }
    if (req.method === 'GET' && path === '/v1/models' && this.opts.listModels) return this.models(res);
    if (req.method === 'POST' && path === '/v1/chat/completions') return this.chat(body, res, error);
    if (req.method === 'POST' && path === '/v1/embeddings') return this.embeddings(body, res, error);
    // vLLM (FastAPI) answers unknown routes with its JSON 404.
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
  }

  private models(res: ServerResponse): void {
    const entry = (id: string, chat: boolean) => ({
      id,
      object: 'model',
      created: 1_733_000_000,
      owned_by: 'vllm',
      root: id,
      ...(chat && this.opts.maxModelLen ? { max_model_len: this.opts.maxModelLen } : {}),
    });
    const data = [...this.opts.chatModels.map((id) => entry(id, true)), ...this.opts.embedModels.map((id) => entry(id, false))];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data }));
  }

  private usage(prompt: number, completion: number): unknown {
    if (this.opts.usage === 'empty') return {};
    if (this.opts.usage === 'null') return null;
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  private async chat(
    body: Record<string, unknown>,
    res: ServerResponse,
    error: (status: number, message: string, type: string) => void,
  ): Promise<void> {
    const model = String(body.model ?? '');
    if (!this.opts.chatModels.includes(model)) return error(404, `The model \`${model}\` does not exist.`, 'NotFoundError');
    const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
    const stream = body.stream === true;
    const maxTokens =
      typeof body.max_tokens === 'number'
        ? body.max_tokens
        : typeof body.max_completion_tokens === 'number'
          ? body.max_completion_tokens
          : undefined;
    this.chatRequests.push({ model, messages, stream, maxTokens, body });
    const output = modelOutput(messages, { shape: this.opts.answerShape, adversarial: false, reasoningField: this.opts.reasoningField });
    const cut = this.opts.cutAfterChars;
    const content = cut !== undefined && output.content.length > cut ? output.content.slice(0, cut) : output.content;
    const finish = content.length < output.content.length ? 'length' : 'stop';
    const promptTokens = messages.reduce((n, m) => n + estimateTokens(String(m.content)) + 4, 0);
    const completionTokens = estimateTokens(output.thinking + content);
    const id = `chatcmpl-${this.chatRequests.length}`;
    const base = { id, created: 1_733_000_000, model };

    if (!stream) {
      const message = { role: 'assistant', content, ...(output.thinking ? { reasoning_content: output.thinking } : {}) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
          usage: this.usage(promptTokens, completionTokens),
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}) =>
      res.write(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra })}\n\n`,
      );
    send({ role: 'assistant', content: '' });
    if (output.thinking) for (const piece of splitIntoChunks(output.thinking)) send({ reasoning_content: piece });
    for (const piece of content ? splitIntoChunks(content) : []) send({ content: piece });
    send({}, finish, { usage: this.usage(promptTokens, completionTokens) });
    res.end('data: [DONE]\n\n');
  }

  private async embeddings(
    body: Record<string, unknown>,
    res: ServerResponse,
    error: (status: number, message: string, type: string) => void,
  ): Promise<void> {
    const model = String(body.model ?? '');
    if (!this.opts.embedModels.includes(model)) return error(404, `The model \`${model}\` does not exist.`, 'NotFoundError');
    const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.map(String) : [];
    if (!inputs.length) return error(400, 'input must be a non-empty string or list of strings', 'BadRequestError');
    // One GPU: requests queue behind each other, each costing its texts.
    const turn = this.gpu.then(async () => void (await sleep(this.opts.embedDelayMsPerText * inputs.length)));
    this.gpu = turn;
    await turn;
    if (res.destroyed) return;
    this.embedInputs.push(inputs);
    const data = inputs.map((text, index) => ({ object: 'embedding', index, embedding: this.expectedEmbedding(text, model) }));
    const tokens = inputs.reduce((n, t) => n + estimateTokens(t), 0);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', data, model, usage: this.usage(tokens, 0) }));
  }
}
