import type { Answer } from '../../chains/types.js';
import type { AnswerSurface } from '../common/answer-flow.js';
import { answerContents, partialContent } from './answer-render.js';
import type { MessageTarget } from './posted-message.js';

/** An answer in Discord: the reply grows with the text, then holds the answer and its sources. */
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

  async showAnswer(answer: Answer): Promise<void> {
    const [first, ...more] = answerContents(answer, this.heading);
    await this.target.show(first!);
    for (const content of more) await this.target.append(content);
  }

  showFailure(message: string): Promise<void> {
    return this.target.show(message);
  }
}
