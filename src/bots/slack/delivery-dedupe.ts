import type { Middleware, AnyMiddlewareArgs } from '@slack/bolt';

/**
 * Slack redelivers an event it thinks was not received (`x-slack-retry-num`), e.g. when the
 * acknowledgement was slow. Bolt has already acknowledged the retry; this middleware stops it
 * before the listeners, so each question is answered once. Event ids are kept for an hour (Slack
 * retries within minutes).
 */
export function dropRedeliveries(ttlMs = 60 * 60 * 1000): Middleware<AnyMiddlewareArgs> {
  const seen = new Map<string, number>();
  return async ({ body, next }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (!eventId) return next();
    const now = Date.now();
    for (const [id, at] of seen) {
      if (now - at < ttlMs) break;
      seen.delete(id);
    }
    if (seen.has(eventId)) return;
    seen.set(eventId, now);
    await next();
  };
}
