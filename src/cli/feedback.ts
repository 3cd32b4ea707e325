import { feedbackSince, listFeedback } from '../app/feedback.js';
import type { CitebotCore } from '../core.js';
import type { FeedbackEntry } from '../store/ports.js';
import { printJson, table } from './output.js';

/** How much of an answer the table shows (JSON has all of it). */
const EXCERPT = 160;

const excerpt = (text: string) => {
  const line = text.replace(/\s+/gu, ' ').trim();
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT - 1)}…` : line;
};
const reasonText = (e: FeedbackEntry) => (e.reason ? `${e.reason.kind}${e.reason.text ? `: ${e.reason.text}` : ''}` : '');

/** `citebot feedback`: the 👍/👎 given to answers in chat, newest first, with what went wrong. */
export async function feedbackCommand(core: CitebotCore, options: { scope?: string; since?: string; json?: boolean }): Promise<number> {
  const entries = await listFeedback(core, {
    ...(options.scope && { scopes: [options.scope] }),
    ...(options.since && { since: feedbackSince(options.since) }),
  });
  if (options.json) {
    printJson({
      feedback: entries.map((e) => ({
        at: e.at,
        rating: e.rating,
        userId: e.userId,
        reason: e.reason ?? null,
        answerId: e.answer.id,
        scope: e.answer.scope,
        question: e.answer.question,
        answer: e.answer.answer,
        sources: e.answer.sources,
        model: e.answer.model ?? null,
        askedBy: e.answer.askedBy ?? null,
        askedAt: e.answer.createdAt,
      })),
    });
    return 0;
  }
  if (entries.length === 0) {
    process.stdout.write(`No feedback${options.scope ? ` in scope ${options.scope}` : ''}${options.since ? ' in that time' : ''} yet.\n`);
    return 0;
  }
  process.stdout.write(
    table(
      ['when', 'rating', 'reason', 'scope', 'question', 'answer', 'sources', 'model'],
      entries.map((e) => [
        e.at,
        e.rating === 'up' ? '👍' : '👎',
        reasonText(e),
        e.answer.scope,
        e.answer.question,
        excerpt(e.answer.answer),
        e.answer.sources.map((s) => `[${s.n}] ${s.source}${s.location ? ` · ${s.location}` : ''}`).join('\n'),
        e.answer.model ?? '',
      ]),
    ) + '\n',
  );
  return 0;
}
