import type { AnswerEvent } from '../chains/answer-chain.js';
import type { Turn } from '../chains/types.js';
import type { CitebotCore } from '../core.js';
import { CitebotError } from '../errors.js';

export interface AskRequest {
  question: string;
  /** Where it was asked: its scope, plus whatever SHARED_SCOPES shares with it, is what it may read. */
  scope: string;
  /** The exact scopes to read instead, already resolved (an access token's); `scope` then only names the request. */
  readable?: string[];
  /** Earlier turns of the thread, oldest first. */
  history?: Turn[];
}

/** A question with nothing to search is a usage error, caught before retrieval or any model call. */
export function requireQuestion(question: string): string {
  const text = question.trim();
  if (!text)
    throw new CitebotError('invalid_input', 'empty question', { fix: 'ask something, e.g. citebot ask "What is the refund policy?"' });
  return text;
}

/** `ask` for every surface (CLI, chat, Slack, Discord): the answer's events, streamed. */
export function ask(core: CitebotCore, request: AskRequest): AsyncGenerator<AnswerEvent> {
  const question = requireQuestion(request.question);
  return core.answerChain().stream({ question, scopes: request.readable ?? core.readableScopes(request.scope), history: request.history });
}
