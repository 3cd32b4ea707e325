import { askInChannel, type AskRequest } from '../../app/ask.js';
import type { Answer } from '../../chains/types.js';
import type { CitebotCore } from '../../core.js';
import type { StoredAnswer } from '../../store/ports.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { detectLanguage } from '../../messages/index.js';
import { thinkingText } from './chat-text.js';
import { failureMessage } from './failure-message.js';
import { ThrottledEdit } from './throttled-edit.js';

/** Where an answer is shown: one message that grows, then is replaced by the final rendering. */
export interface AnswerSurface {
  /** The answer so far (already safe to post). Called at most once per edit interval. */
  showPartial(text: string): Promise<unknown>;
  /** A placeholder in place of the answer, e.g. "Thinking…" while the model reasons. */
  showPlaceholder(text: string): Promise<unknown>;
  showAnswer(answer: Answer, stored: StoredAnswer): Promise<unknown>;
  showFailure(message: string): Promise<unknown>;
}

/**
 * One question, from the chain to a chat message: streams partial text into the surface at a
 * bounded rate and shows the final answer (stored by `askInChannel`, so feedback can refer to it). Every failure
 * ends as a short message on the surface, never as silence.
 */
export async function answerQuestion(core: CitebotCore, question: AskRequest, surface: AnswerSurface): Promise<Answer | undefined> {
  const language = detectLanguage(question.question);
  const thinking = thinkingText(language);
  // One edit stream for both, so a late "Thinking…" can never overwrite answer text.
  const partial = new ThrottledEdit(
    (text) => (text === thinking ? surface.showPlaceholder(text) : surface.showPartial(text)),
    core.settings.STREAM_EDIT_INTERVAL_MS,
  );
  try {
    for await (const event of askInChannel(core, question, language)) {
      if (event.type === 'thinking') {
        partial.push(thinking);
        continue;
      }
      if (event.type === 'partial') {
        partial.push(event.text);
        continue;
      }
      await partial.close();
      await surface.showAnswer(event.answer, event.stored);
      return event.answer;
    }
    throw new Error('the answer stream ended without an answer');
  } catch (error) {
    await partial.close();
    // If the platform itself is failing, the failure message may not land either: log, do not throw.
    await surface
      .showFailure(failureMessage(error, 'answer', language))
      .catch((shown: unknown) => log.warn(`could not show the failure to the user: ${oneLine(shown)}`));
    return undefined;
  }
}
