import { rateAnswer } from '../../../app/feedback.js';
import type { App, BlockAction, BlockButtonAction, BlockFeedbackButtonsAction, RespondFn, webApi } from '@slack/bolt';
import { log } from '../../../log.js';
import { oneLine } from '../../../errors.js';
import { detectLanguage, messages, type Language } from '../../../messages/index.js';
import type { Rating } from '../../../store/ports.js';
import { FEEDBACK_ACTION, FEEDBACK_DOWN, FEEDBACK_UP } from '../answer-render.js';
import { FEEDBACK_DIALOG, feedbackDialog, feedbackThanks, readFeedbackDialog, type SubmittedView } from '../feedback-dialog.js';
import type { SlackContext } from '../slack-context.js';

/** A click's rating and answer: feedback_buttons carry `up:<id>`/`down:<id>`, the classic buttons the id alone. */
function readClick(action: BlockFeedbackButtonsAction['actions'][number] | BlockButtonAction['actions'][number]): {
  rating: Rating;
  answerId: string;
} {
  if (action.action_id === FEEDBACK_ACTION) {
    const [rating, answerId = ''] = (action.value ?? '').split(/:(.*)/su);
    return { rating: rating === 'up' ? 'up' : 'down', answerId };
  }
  return { rating: action.action_id === FEEDBACK_UP ? 'up' : 'down', answerId: action.value ?? '' };
}

const say = (respond: RespondFn, text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

/**
 * 👍/👎 under an answer, stored with the answer's question, text, sources and model; one vote per
 * person. 👎 opens a dialog asking what went wrong, whose submission stores the reason with the vote.
 */
export function registerFeedbackAction(app: App, context: SlackContext): void {
  const onClick = async ({
    body,
    ack,
    respond,
    client,
  }: {
    body: BlockAction;
    ack: () => Promise<void>;
    respond: RespondFn;
    client: webApi.WebClient;
  }) => {
    await ack();
    const { rating, answerId } = readClick(body.actions[0] as BlockButtonAction['actions'][number]);
    const stored = await context.core.state.answers.get(answerId);
    const language: Language = stored ? detectLanguage(stored.question) : 'en';
    const texts = messages(language).feedback;
    if (!stored || !(await rateAnswer(context.core, answerId, body.user.id, rating))) return void (await say(respond, texts.answerGone));
    if (rating === 'up') return void (await say(respond, texts.thanksHelpful));
    // The 👎 is stored already; the dialog adds why. If it cannot open (an expired trigger), say thanks instead.
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: feedbackDialog(answerId, language) });
    } catch (error) {
      log.warn(`slack: feedback dialog not opened: ${oneLine(error)}`);
      await say(respond, texts.thanksNoted);
    }
  };
  app.action<BlockFeedbackButtonsAction>({ type: 'block_actions', action_id: FEEDBACK_ACTION }, onClick);
  app.action<BlockButtonAction>(new RegExp(`^(${FEEDBACK_UP}|${FEEDBACK_DOWN})$`), onClick);

  app.view(FEEDBACK_DIALOG, async ({ ack, body, view }) => {
    const submitted = readFeedbackDialog(view as SubmittedView);
    if (!submitted.ok) return void (await ack({ response_action: 'errors', errors: submitted.errors }));
    const stored = await rateAnswer(context.core, submitted.answerId, body.user.id, 'down', submitted.reason);
    await ack({ response_action: 'update', view: feedbackThanks(submitted.language, stored) });
  });
}
