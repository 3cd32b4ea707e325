import { ChatOpenAI } from '@langchain/openai';
import { oneLine, type Check } from '../errors.js';
import { log } from '../log.js';
import { Lazy } from '../util/lazy.js';
import type { ThinkSetting } from './chat-models.js';
import type { HostPool } from './host-pool.js';
import { toOpenAIError } from './openai-errors.js';
import { checkOpenAIHosts } from './openai-doctor.js';
import { openAIHosts, servedContextLength, servedModels } from './openai-server.js';
import type { ChatModelChoice, ChatModelProvider } from './provider.js';

export interface OpenAIChatOptions {
  model: string;
  hosts: readonly string[];
  apiKey?: string;
  /** CHAT_NUM_CTX: the window when the server does not say its own. */
  numCtx: number;
  answerTokens: number;
  think: ThinkSetting;
  thinkTokens: number;
  lookupTimeoutMs: number;
}

/** Local servers need no key, but the OpenAI SDK refuses to start without one. */
export const NO_KEY = 'no-key';

/**
 * The chat model on an OpenAI-compatible server (/v1/chat/completions, streamed over SSE). Reasoning
 * arrives in `reasoning_content` (vLLM's reasoning parsers, DeepSeek) or as <think> in the text; neither
 * is shown (the answer chain strips both). Whether the model thinks cannot be asked of these servers,
 * so the answer's budget keeps room for reasoning unless CHAT_THINK=off, and partials wait for a tag.
 * The window is the one the server reports (vLLM's max_model_len), else CHAT_NUM_CTX.
 */
export class OpenAIChatModels implements ChatModelProvider {
  readonly provider = 'openai';
  readonly model: string;
  readonly hosts: HostPool;
  private readonly window: Lazy<number | undefined>;
  private readonly built = new Map<number, ChatOpenAI>();

  constructor(private readonly options: OpenAIChatOptions) {
    this.model = options.model;
    this.hosts = openAIHosts(options.hosts, 'the chat server');
    this.window = new Lazy(async () => {
      const served = await servedModels(this.hosts.baseUrl, options.apiKey, (input, init) =>
        this.hosts.fetch(input, { ...init, signal: AbortSignal.timeout(options.lookupTimeoutMs) }),
      );
      return servedContextLength(served.find((m) => m.id === this.model));
    });
  }

  async choose(): Promise<ChatModelChoice> {
    const o = this.options;
    const served = await this.window.get().catch((error: unknown) => {
      log.debug(`could not read ${this.model}'s context length from the server, CHAT_NUM_CTX holds: ${oneLine(error)}`);
      return undefined;
    });
    const numCtx = served ?? o.numCtx;
    // The server counts prompt + max_tokens against its window (vLLM refuses more): the reasoning's room is reserved.
    const extra = o.think === 'off' ? 0 : Math.max(0, Math.min(o.thinkTokens, Math.floor(numCtx / 2) - o.answerTokens));
    return { model: this.build(o.answerTokens + extra), thinking: false, extraReserve: extra, mayStartInReasoning: true, numCtx };
  }

  plain(options: { temperature: number; maxTokens: number }): ChatOpenAI {
    return this.client({ temperature: options.temperature, maxTokens: options.maxTokens, streaming: false });
  }

  toError(error: unknown): Error {
    return toOpenAIError(error, { model: this.model, baseUrl: this.hosts.baseUrl, role: 'CHAT' }).error;
  }

  check(): Promise<Check[]> {
    return checkOpenAIHosts(this.hosts, this.options.apiKey, 'chat model', this.model, 'CHAT');
  }

  private build(maxTokens: number): ChatOpenAI {
    let model = this.built.get(maxTokens);
    if (!model) this.built.set(maxTokens, (model = this.client({ temperature: 0.1, maxTokens, streaming: true })));
    return model;
  }

  private client(fields: { temperature: number; maxTokens: number; streaming: boolean }): ChatOpenAI {
    return new ChatOpenAI({
      model: this.model,
      apiKey: this.options.apiKey ?? NO_KEY,
      configuration: { baseURL: this.hosts.baseUrl, fetch: this.hosts.fetch },
      ...fields,
      // Usage in the stream needs stream_options, which some servers refuse; citebot does not use it.
      streamUsage: false,
      // One attempt: a server that is down turns into the passages answer at once (Retry-After is waited out by the pool).
      maxRetries: 0,
    });
  }
}
