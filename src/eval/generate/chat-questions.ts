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
import { rejectionReason } from './overlap.js';

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

export interface ChatQuestion {
  question: string;
}

export type AskOutcome = { question: string } | { rejected: string };

/**
 * Ask the chat model for one question on a passage. The server down or the model missing is thrown as a
 * CitebotError (the caller falls back to cloze); a reply that is not a usable question is a rejection.
 */
export async function askForQuestion(
  chat: BaseChatModel,
  passage: { source: string; text: string },
  provider: Pick<ChatModelProvider, 'toError'>,
): Promise<AskOutcome> {
  let reply: string;
  try {
    const message = await chat.invoke([
      new SystemMessage(QUESTION_SYSTEM_PROMPT),
      new HumanMessage(`Passage (from ${passage.source}):\n${passage.text}`),
    ]);
    reply = typeof message.content === 'string' ? message.content : message.content.map((c) => ('text' in c ? c.text : '')).join('');
  } catch (error) {
    throw provider.toError(error);
  }
  const question = questionFromReply(reply);
  if (!question) return { rejected: 'no question in the reply' };
  const reason = rejectionReason(question, passage.text);
  return reason ? { rejected: reason } : { question };
}

/** Whether a generation error means "no chat model here" (fall back) rather than a bug. */
export function chatModelMissing(error: unknown): error is CitebotError {
  return isModelError(error);
}
