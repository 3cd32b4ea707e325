import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { claimEvent } from '../../app/events.js';
import type { CitebotCore } from '../../core.js';

/** What identifies one delivery of a request Slack may send again: an event's id, else the trigger id of a command or action. */
export function deliveryKey(body: unknown): string | undefined {
  const b = body as { event_id?: string; trigger_id?: string; command?: string; type?: string; team_id?: string; team?: { id?: string } };
  if (b.event_id) return `slack:event:${b.event_id}`;
  if (b.trigger_id) return `slack:${b.command ? 'command' : (b.type ?? 'interaction')}:${b.trigger_id}`;
  return undefined;
}

/**
 * Slack redelivers an event it thinks was not received (`x-slack-retry-num`), e.g. when the
 * acknowledgement was slow, and with several Socket Mode connections or replicas a request may
 * reach more than one of them. Bolt has already acknowledged it; this middleware stops a second
 * delivery before the listeners, so each question is answered once. Deliveries are remembered in
 * the state store, so a restart in between changes nothing.
 */
export function dropRedeliveries(core: CitebotCore): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = deliveryKey(args.body);
    if (key && !(await claimEvent(core, key))) {
      // A command or action must still be acknowledged, or Slack shows its sender an error.
      await (args as { ack?: () => Promise<void> }).ack?.();
      return;
    }
    await args.next();
  };
}
