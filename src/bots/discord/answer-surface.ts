import type { Answer } from '../../chains/types.js';
import type { StoredAnswer } from '../../store/ports.js';
import type { AnswerSurface } from '../common/answer-flow.js';
import { answerContents, partialContent } from './answer-render.js';
import { feedbackButtons } from './feedback-components.js';
import type { MessageTarget } from './posted-message.js';

/** An answer in Discord: the reply grows with the text, then holds the answer and its sources, with 👍/👎 under its last part. */
export class DiscordAnswerSurface implements AnswerSurface {
  constructor(
    private readonly target: MessageTarget,
    private readonly heading?: string,
  ) {}

  showPlaceholder(text: string): Promise<void> {
    return this.target.progress(this.heading ? `${this.heading}\n${text}` : text);
  }

  showPartial(text: string): Promise<void> {
    return this.target.progress(partialContent(text, this.heading));
  }

  async showAnswer(answer: Answer, stored: StoredAnswer): Promise<void> {
    const contents = answerContents(answer, this.heading);
    const buttons = feedbackButtons(stored.id, answer.language);
    const last = contents.length - 1;
    await this.target.show(contents[0]!, last === 0 ? buttons : undefined);
    for (let i = 1; i <= last; i++) await this.target.append(contents[i]!, i === last ? buttons : undefined);
  }

  showFailure(message: string): Promise<void> {
    return this.target.show(message);
  }
}
