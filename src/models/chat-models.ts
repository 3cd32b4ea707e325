import { ChatOllama } from '@langchain/ollama';
import { Ollama } from 'ollama';
import { oneLine, type Check } from '../errors.js';
import { log } from '../log.js';
import { Lazy } from '../util/lazy.js';
import type { HostPool } from './host-pool.js';
import { checkOllama } from './ollama-doctor.js';
import { toOllamaError } from './ollama-errors.js';
import { ollamaFetch, ollamaHosts } from './ollama-server.js';
import type { ChatModelChoice, ChatModelProvider } from './provider.js';

export type { ChatModelChoice } from './provider.js';

export type ThinkSetting = 'auto' | 'on' | 'off';

export interface ChatModelsOptions {
  model: string;
  /** One Ollama, or several serving the model (questions are spread over them). */
  baseUrl: string | readonly string[];
  numCtx: number;
  /** Tokens kept for the answer itself (ANSWER_RESERVE_TOKENS). */
  answerTokens: number;
  think: ThinkSetting;
  /** Tokens the reasoning may use on top of the answer's (CHAT_THINK_TOKENS). */
  thinkTokens: number;
  /** The capability lookup gives up after this (CHAT_TIMEOUT_S): a hung Ollama must not hang the question. */
  lookupTimeoutMs: number;
}

/**
 * The chat model with Ollama's `think` set on purpose. Whether the model can think is read once
 * from /api/show (`capabilities` lists "thinking"); a failed lookup is not remembered, so it is
 * tried again with the next question and that question runs with `think` unset.
 */
export class ChatModels implements ChatModelProvider {
  readonly provider = 'ollama';
  readonly model: string;
  readonly hosts: HostPool;
  private readonly fetch: typeof fetch;
  private readonly capabilities: Lazy<string[]>;
  private readonly built = new Map<string, ChatOllama>();
  private warnedOn = false;

  constructor(private readonly options: ChatModelsOptions) {
    this.model = options.model;
    this.hosts = ollamaHosts({ hosts: typeof options.baseUrl === 'string' ? [options.baseUrl] : options.baseUrl });
    this.fetch = ollamaFetch(this.hosts);
    // A request that times out rejects, so the Lazy forgets it and the next question asks again.
    const fetchWithTimeout: typeof fetch = (input, init) =>
      this.fetch(input, { ...init, signal: AbortSignal.timeout(options.lookupTimeoutMs) });
    const ollama = new Ollama({ host: this.hosts.baseUrl, fetch: fetchWithTimeout });
    this.capabilities = new Lazy(async () => (await ollama.show({ model: options.model })).capabilities ?? []);
  }

  async choose(): Promise<ChatModelChoice> {
    const { think, thinkTokens } = this.options;
    const capabilities = await this.capabilities.get().catch((error: unknown) => {
      log.debug(`could not read ${this.options.model}'s capabilities, think left unset: ${oneLine(error)}`);
      return undefined;
    });
    if (!capabilities) return { model: this.build(undefined, 0), thinking: false, extraReserve: 0, mayStartInReasoning: true };
    const canThink = capabilities.includes('thinking');
    if (think === 'on' && !canThink && !this.warnedOn) {
      this.warnedOn = true;
      log.warn(`CHAT_THINK=on, but ${this.options.model} cannot think (its capabilities have no "thinking"): it answers without`);
    }
    // Only a model that can think is told either way: Ollama refuses think=true for others.
    if (!canThink) return { model: this.build(undefined, 0), thinking: false, extraReserve: 0, mayStartInReasoning: false };
    if (think === 'off') return { model: this.build(false, 0), thinking: false, extraReserve: 0, mayStartInReasoning: false };
    // Answer and reasoning together leave at least half the window to the prompt (as ANSWER_RESERVE_TOKENS alone must).
    const extra = Math.max(0, Math.min(thinkTokens, Math.floor(this.options.numCtx / 2) - this.options.answerTokens));
    return { model: this.build(true, extra), thinking: true, extraReserve: extra, mayStartInReasoning: false };
  }

  plain(options: { temperature: number; maxTokens: number }): ChatOllama {
    return new ChatOllama({
      model: this.model,
      baseUrl: this.hosts.baseUrl,
      fetch: this.fetch,
      numCtx: this.options.numCtx,
      numPredict: options.maxTokens,
      temperature: options.temperature,
    });
  }

  toError(error: unknown): Error {
    return toOllamaError(error, this.model, this.hosts.baseUrl).error;
  }

  check(): Promise<Check[]> {
    return checkOllama(this.hosts, 'chat model', this.model);
  }

  private build(think: boolean | undefined, extraReserve: number): ChatOllama {
    const key = `${think}:${extraReserve}`;
    let model = this.built.get(key);
    if (!model) {
      const o = this.options;
      model = new ChatOllama({
        model: o.model,
        baseUrl: this.hosts.baseUrl,
        fetch: this.fetch,
        numCtx: o.numCtx,
        // Ollama's num_predict bounds reasoning and answer together: the reasoning gets its own share.
        numPredict: o.answerTokens + extraReserve,
        temperature: 0.1,
        streaming: true,
        ...(think === undefined ? {} : { think }),
      });
      this.built.set(key, model);
    }
    return model;
  }
}
