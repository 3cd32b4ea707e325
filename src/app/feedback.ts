import type { CitebotCore } from '../core.js';
import type { FeedbackEntry, FeedbackFilter, FeedbackReason, Rating } from '../store/ports.js';

/**
 * A 👍/👎 on a posted answer: one per person, a second click changes it; a 👎 may carry what went wrong
 * (the dialog after the click). False if the answer is unknown.
 */
export function rateAnswer(core: CitebotCore, answerId: string, userId: string, rating: Rating, reason?: FeedbackReason): Promise<boolean> {
  const text = reason?.text?.trim().slice(0, 2000);
  return core.state.answers.rate(answerId, userId, rating, reason && { kind: reason.kind, ...(text && { text }) });
}

/** Feedback across answers, newest first: for `citebot feedback` and an admin's Home tab. */
export function listFeedback(core: CitebotCore, filter: FeedbackFilter = {}): Promise<FeedbackEntry[]> {
  return core.state.answers.listFeedback(filter);
}
