import type { Answer } from '../../chains/types.js';
import type { StoredAnswer } from '../../store/ports.js';
import type { AnswerSurface } from '../common/answer-flow.js';
import { answerMessages, partialMessage, textMessage } from './answer-render.js';
import type { PostedMessage } from './posted-message.js';

/** An answer in Slack: one message that grows with the text (when Slack's limits allow), then becomes the final blocks. */
export class SlackAnswerSurface implements AnswerSurface {
  constructor(
    private readonly message: PostedMessage,
    /** One context line above the answer, e.g. who asked what (a slash command's question is otherwise invisible). */
    private readonly heading?: string,
  ) {}

  showPlaceholder(text: string): Promise<void> {
    return this.message.progress(textMessage(text));
  }

  showPartial(text: string): Promise<void> {
    return this.message.progress(partialMessage(text, this.heading));
  }

  async showAnswer(answer: Answer, stored: StoredAnswer): Promise<void> {
    const [first, ...more] = answerMessages(answer, stored.id, this.heading);
    await this.message.show(first!);
    for (const payload of more) await this.message.append(payload);
  }

  showFailure(message: string): Promise<void> {
    return this.message.show(textMessage(message));
  }
}
