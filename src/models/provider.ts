/**
 * The seam between citebot and whatever serves its models: a chat-model provider and an embedding
 * provider, each built from settings by a factory (src/models/index.ts), as rerankers are. Providers:
 * Ollama (its own API) and any OpenAI-compatible server (vLLM, llama.cpp, LM Studio, LiteLLM, TEI).
 * Nothing outside a provider's own files knows which one is in use.
 */
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Check } from '../errors.js';

export type ProviderName = 'ollama' | 'openai';

/** The chat model for one question, and what the answer chain must know about it. */
export interface ChatModelChoice {
  model: BaseChatModel;
  /** The model was asked to think: reasoning streams in a separate field, never in the text. */
  thinking: boolean;
  /** Tokens beyond the answer's reserve (the reasoning's budget), also kept free in the window. */
  extraReserve: number;
  /**
   * The model may write reasoning into its text without an opening tag (a thinking model whose
   * capabilities could not be read): partials wait for a tag.
   */
  mayStartInReasoning: boolean;
  /** The context window the server reports for this model, when it reports one (else CHAT_NUM_CTX holds). */
  numCtx?: number;
}

export interface ChatModelProvider {
  readonly provider: ProviderName;
  readonly model: string;
  /** The model for the next question, thinking decided from the model's capabilities and CHAT_THINK. */
  choose(): Promise<ChatModelChoice>;
  /** A plain model for one-shot generation (eval questions): no thinking decided, its own temperature and token cap. */
  plain(options: { temperature: number; maxTokens: number }): BaseChatModel;
  /** A failure of this provider's model as a provider-neutral CitebotError (model_unavailable, model_missing, model_failed). */
  toError(error: unknown): Error;
  /** Doctor's lines: each host, and whether it has the model. */
  check(): Promise<Check[]>;
}

export interface EmbeddingProvider extends EmbeddingsInterface {
  readonly provider: ProviderName;
  readonly model: string;
  /** The vector size: from the server's metadata when it says it, else from one embedding. */
  getDimension(): Promise<number>;
  /** Doctor's lines: each host, and whether it has the model. */
  check(): Promise<Check[]>;
}
