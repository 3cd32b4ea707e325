import type { AnswerEvent } from '../chains/answer-chain.js';
import type { Answer, Turn } from '../chains/types.js';
import type { CitebotCore } from '../core.js';
import { CitebotError } from '../errors.js';
import { detectLanguage, type Language } from '../messages/index.js';
import type { StoredAnswer } from '../store/ports.js';

/** One question, from any surface (CLI, terminal chat, Slack, Discord, MCP). */
export interface AskRequest {
  question: string;
  /** Where it was asked: its scope, plus whatever SHARED_SCOPES shares with it, is what it may read. */
  scope: string;
  /** The exact scopes to read instead, already resolved (an access token's); `scope` then only names the request. */
  readable?: string[];
  /** Earlier turns of the thread, oldest first. */
  history?: Turn[];
  /** Who asked (a platform user id), stored with a chat answer. */
  askedBy?: string;
}

/** A question with nothing to search is a usage error, caught before retrieval or any model call. */
export function requireQuestion(question: string): string {
  const text = question.trim();
  if (!text)
    throw new CitebotError('invalid_input', 'empty question', { fix: 'ask something, e.g. citebot ask "What is the refund policy?"' });
  return text;
}

/** `ask` for every surface: the answer's events, streamed. Nothing is stored. */
export function ask(core: CitebotCore, request: AskRequest): AsyncGenerator<AnswerEvent> {
  const question = requireQuestion(request.question);
  return core.answerChain().stream({ question, scopes: request.readable ?? core.readableScopes(request.scope), history: request.history });
}

/** What a chat answer ends with: the answer and its stored record (the id a 👍/👎 click carries). */
export type ChatAnswerEvent = Exclude<AnswerEvent, { type: 'answer' }> | { type: 'answer'; answer: Answer; stored: StoredAnswer };

/**
 * `ask` in a chat channel: the question's language becomes the channel's (for replies that answer
 * no question, such as ingest progress), and the final answer is stored for feedback.
 */
export async function* askInChannel(
  core: CitebotCore,
  request: AskRequest,
  language: Language = detectLanguage(request.question),
): AsyncGenerator<ChatAnswerEvent> {
  if (request.question.trim()) {
    const settings = await core.state.channels.get(request.scope);
    if (settings.language !== language) await core.state.channels.update(request.scope, { language });
  }
  for await (const event of ask(core, request)) {
    if (event.type !== 'answer') {
      yield event;
      continue;
    }
    const { answer } = event;
    const stored = await core.state.answers.save({
      scope: request.scope,
      askedBy: request.askedBy,
      question: request.question,
      answer: answer.answer,
      sources: answer.citations.map(({ n, source, url, location, chunkId }) => ({ n, source, url, location, chunkId })),
      model: core.settings.CHAT_MODEL,
    });
    yield { type: 'answer', answer, stored };
  }
}
