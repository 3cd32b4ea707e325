import { rateAnswer } from '../../../app/feedback.js';
import type { App, BlockButtonAction } from '@slack/bolt';
import { FEEDBACK_DOWN, FEEDBACK_UP } from '../answer-render.js';
import type { SlackContext } from '../slack-context.js';

/** 👍/👎 under an answer: stored with the answer's question, text and sources; one vote per person. */
export function registerFeedbackAction(app: App, context: SlackContext): void {
  app.action<BlockButtonAction>(new RegExp(`^(${FEEDBACK_UP}|${FEEDBACK_DOWN})$`), async ({ action, body, ack, respond }) => {
    await ack();
    const rating = action.action_id === FEEDBACK_UP ? 'up' : 'down';
    const stored = await rateAnswer(context.core, action.value ?? '', body.user.id, rating);
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: stored
        ? rating === 'up'
          ? 'Thanks — glad it helped.'
          : 'Thanks — noted. The question, answer and sources are saved for review.'
        : 'That answer is no longer on record.',
    });
  });
}
