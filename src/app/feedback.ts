import type { CitebotCore } from '../core.js';
import { CitebotError } from '../errors.js';
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

const AGO = /^(\d{1,5})([hdw])$/u;
const HOURS = { h: 1, d: 24, w: 24 * 7 } as const;

/** `--since`: a date or time (2026-12-01, 2026-12-01T09:00Z), or how long ago (12h, 7d, 2w); as an ISO time. */
export function feedbackSince(text: string, now = new Date()): string {
  const trimmed = text.trim();
  const ago = AGO.exec(trimmed);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * HOURS[ago[2] as keyof typeof HOURS] * 3_600_000).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}/u.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(at))
    throw new CitebotError('invalid_input', `--since "${text}" is neither a date nor a duration`, {
      fix: 'use a date such as 2026-12-01 (or 2026-12-01T09:00Z), or how long ago: 12h, 7d, 2w',
    });
  return new Date(at).toISOString();
}
