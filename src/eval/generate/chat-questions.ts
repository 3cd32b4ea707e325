/**
 * Questions written by the chat model: for each sampled chunk, one question a colleague would ask whose
 * answer is in the chunk. The prompt asks for a paraphrase, and a question that still copies the passage
 * (too many shared terms, or a long copied run of words) is rejected: see overlap.ts.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { stripReasoning } from '../../chains/reasoning.js';
import { isModelError, type CitebotError } from '../../errors.js';
import type { ChatModelProvider } from '../../models/provider.js';
import { MAX_QUESTION_WORDS, rejectionOf, type Rejection } from './overlap.js';

export const QUESTION_SYSTEM_PROMPT = [
  "You write evaluation questions for a search engine over a team's shared files.",
  'Write one question a colleague would ask whose answer is in the passage below.',
  'Paraphrase: do not copy phrases from the passage. Use your own words; keep at most one or two of its key terms (a name, a product, a code).',
  'The question must make sense without the passage (no "this text", "the passage", "the author").',
  "Ask in the passage's language. Reply with the question only, on one line.",
].join('\n');

/** The question in a chat model's reply: reasoning, preambles ("Here is a question:"), numbering, labels and quotes removed. */
export function questionFromReply(reply: string): string | undefined {
  const lines = stripReasoning(reply)
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^(?:[-*]|\d+[.)]|#+)\s*/u, '')
        .replace(/^\**\s*(?:question|q|问题)\s*[:：]\s*\**\s*/iu, '')
        .replace(/^\*\*(.*)\*\*$/u, '$1')
        .replace(/^["'“”「『]+|["'“”」』]+$/gu, '')
        .trim(),
    )
    .filter(Boolean);
  return lines.find((line) => /[?？]$/u.test(line));
}

/**
 * The second, stricter prompt for a passage whose first question was rejected: small models that quote
 * the passage often do better when shown what they did wrong and given the question's shape.
 */
export const STRICTER_QUESTION_PROMPT = [
  QUESTION_SYSTEM_PROMPT,
  'Your previous reply was rejected. Rules this time:',
  '- Do NOT repeat any sentence or run of words from the passage; the question must not be a sentence of the passage with a question mark.',
  `- At most ${MAX_QUESTION_WORDS} words, starting with a question word (What, Who, When, Where, Which, How, Why; in Chinese 什么, 谁, 何时, 哪, 如何, 为什么).`,
  '- Name the topic in different words, the way someone who read it last month would remember it.',
].join('\n');

export type AskOutcome = { question: string } | { rejected: Rejection };

/** The previous, rejected attempt on the passage: asks with STRICTER_QUESTION_PROMPT. */
export interface Retry {
  previous: string;
  rejection: Rejection;
}

function prompt(passage: { source: string; text: string }, retry?: Retry) {
  const text = `Passage (from ${passage.source}):\n${passage.text}`;
  if (!retry) return [new SystemMessage(QUESTION_SYSTEM_PROMPT), new HumanMessage(text)];
  const why = `Your previous question was rejected (${retry.rejection.kind}: ${retry.rejection.detail}): ${retry.previous.replace(/\s+/gu, ' ').slice(0, 300)}`;
  return [new SystemMessage(STRICTER_QUESTION_PROMPT), new HumanMessage(`${why}\n\n${text}`)];
}

/**
 * Ask the chat model for one question on a passage. The server down or the model missing is thrown as a
 * CitebotError (the caller falls back to cloze); a reply that is not a usable question is a rejection.
 */
export async function askForQuestion(
  chat: BaseChatModel,
  passage: { source: string; text: string },
  provider: Pick<ChatModelProvider, 'toError'>,
  retry?: Retry,
): Promise<AskOutcome & { reply: string }> {
  let reply: string;
  try {
    const message = await chat.invoke(prompt(passage, retry));
    reply = typeof message.content === 'string' ? message.content : message.content.map((c) => ('text' in c ? c.text : '')).join('');
  } catch (error) {
    throw provider.toError(error);
  }
  const question = questionFromReply(reply);
  if (!question) return { rejected: { kind: 'no question', detail: 'no question in the reply' }, reply };
  const rejection = rejectionOf(question, passage.text);
  return rejection ? { rejected: rejection, reply: question } : { question, reply };
}

/** Whether a generation error means "no chat model here" (fall back) rather than a bug. */
export function chatModelMissing(error: unknown): error is CitebotError {
  return isModelError(error);
}
