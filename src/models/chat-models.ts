import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOllama } from '@langchain/ollama';
import { Ollama } from 'ollama';
import { oneLine } from '../errors.js';
import { log } from '../log.js';
import { Lazy } from '../util/lazy.js';

export type ThinkSetting = 'auto' | 'on' | 'off';

export interface ChatModelsOptions {
  model: string;
  baseUrl: string;
  numCtx: number;
  /** Tokens kept for the answer itself (ANSWER_RESERVE_TOKENS). */
  answerTokens: number;
  think: ThinkSetting;
  /** Tokens the reasoning may use on top of the answer's (CHAT_THINK_TOKENS). */
  thinkTokens: number;
  /** The capability lookup gives up after this (CHAT_TIMEOUT_S): a hung Ollama must not hang the question. */
  lookupTimeoutMs: number;
}

/** The chat model for one question, and what the answer chain must know about it. */
export interface ChatModelChoice {
  model: BaseChatModel;
  /** Ollama was asked to think: reasoning streams in its separate `thinking` field. */
  thinking: boolean;
  /** num_predict beyond the answer's reserve (the reasoning's budget), also kept free in the window. */
  extraReserve: number;
  /**
   * The model may write reasoning into its text without an opening tag (a thinking model whose
   * capabilities could not be read, so `think` was left unset): partials wait for a tag.
   */
  mayStartInReasoning: boolean;
}

/**
 * The chat model with Ollama's `think` set on purpose. Whether the model can think is read once
 * from /api/show (`capabilities` lists "thinking"); a failed lookup is not remembered, so it is
 * tried again with the next question and that question runs with `think` unset.
 */
export class ChatModels {
  private readonly capabilities: Lazy<string[]>;
  private readonly built = new Map<string, ChatOllama>();
  private warnedOn = false;

  constructor(private readonly options: ChatModelsOptions) {
    // A request that times out rejects, so the Lazy forgets it and the next question asks again.
    const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(options.lookupTimeoutMs) });
    const ollama = new Ollama({ host: options.baseUrl, fetch: fetchWithTimeout });
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

  private build(think: boolean | undefined, extraReserve: number): ChatOllama {
    const key = `${think}:${extraReserve}`;
    let model = this.built.get(key);
    if (!model) {
      const o = this.options;
      model = new ChatOllama({
        model: o.model,
        baseUrl: o.baseUrl,
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
