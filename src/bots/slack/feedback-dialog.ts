import type { types } from '@slack/bolt';
import { FEEDBACK_REASONS, type FeedbackReason, type FeedbackReasonKind } from '../../store/ports.js';
import { DEFAULT_LANGUAGE, isLanguage, messages, type Language } from '../../messages/index.js';

/** The 👎 dialog's callback id (its view_submission) and its input blocks. */
export const FEEDBACK_DIALOG = 'citebot_feedback_reason';
const REASON_BLOCK = 'reason';
const REASON_INPUT = 'kind';
const DETAILS_BLOCK = 'details';
const DETAILS_INPUT = 'text';
/** rateAnswer keeps this much of the person's words. */
const DETAILS_MAX = 2000;

type Dialog = ReturnType<typeof messages>['feedbackDialog'];
const REASON_LABEL: Record<FeedbackReasonKind, (d: Dialog) => string> = {
  'wrong-source': (d) => d.wrongSource,
  'not-in-files': (d) => d.notInFiles,
  'wrong-language': (d) => d.wrongLanguage,
  other: (d) => d.other,
};

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** The modal a 👎 opens: one reason (required) and the person's own words (optional, needed for "other"). */
export function feedbackDialog(answerId: string, language: Language): types.ModalView {
  const d = messages(language).feedbackDialog;
  return {
    type: 'modal',
    callback_id: FEEDBACK_DIALOG,
    private_metadata: JSON.stringify({ answerId, language }),
    title: plain(d.title),
    submit: plain(d.submit),
    close: plain(d.cancel),
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: plain(d.question),
        element: {
          type: 'radio_buttons',
          action_id: REASON_INPUT,
          options: FEEDBACK_REASONS.map((kind) => ({ text: plain(REASON_LABEL[kind](d)), value: kind })),
        },
      },
      {
        type: 'input',
        block_id: DETAILS_BLOCK,
        optional: true,
        label: plain(d.detailsLabel),
        element: {
          type: 'plain_text_input',
          action_id: DETAILS_INPUT,
          multiline: true,
          max_length: DETAILS_MAX,
          placeholder: plain(d.detailsHint),
        },
      },
    ],
  };
}

/** After the submission: the dialog becomes a thank-you (or says the answer is gone) with only a close button. */
export function feedbackThanks(language: Language, stored: boolean): types.ModalView {
  const { feedback, feedbackDialog: d } = messages(language);
  return {
    type: 'modal',
    title: plain(d.title),
    close: plain(d.cancel),
    blocks: [{ type: 'section', text: plain(stored ? feedback.thanksNoted : feedback.answerGone) }],
  };
}

/** What the view_submission carries. */
export interface SubmittedView {
  private_metadata?: string;
  state: { values: Record<string, Record<string, { selected_option?: { value?: string } | null; value?: string | null }>> };
}

export type FeedbackSubmission =
  | { ok: true; answerId: string; language: Language; reason: FeedbackReason }
  /** What to show under which input block (Slack's `response_action: "errors"`). */
  | { ok: false; language: Language; errors: Record<string, string> };

/** The answer, the reason chosen and the words typed, read from a submitted dialog. */
export function readFeedbackDialog(view: SubmittedView): FeedbackSubmission {
  const meta = JSON.parse(view.private_metadata || '{}') as { answerId?: string; language?: Language };
  const language = meta.language && isLanguage(meta.language) ? meta.language : DEFAULT_LANGUAGE;
  const d = messages(language).feedbackDialog;
  const chosen = view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.selected_option?.value;
  const text = view.state.values[DETAILS_BLOCK]?.[DETAILS_INPUT]?.value?.trim() ?? '';
  const kind = FEEDBACK_REASONS.find((k) => k === chosen) ?? (text ? 'other' : undefined);
  if (!kind || (kind === 'other' && !text)) return { ok: false, language, errors: { [DETAILS_BLOCK]: d.otherNeedsText } };
  return { ok: true, answerId: meta.answerId ?? '', language, reason: { kind, ...(text && { text }) } };
}
