import type { CitebotCore } from '../core.js';

/**
 * Claims a platform event for this process: true the first time `key` is seen (by any process on
 * the same state, before or after a restart), false for a redelivery. Adapters key it on what
 * identifies the delivery (a Slack event id, a slash command's trigger id).
 */
export async function claimEvent(core: CitebotCore, key: string): Promise<boolean> {
  return core.state.events.claim(key, await core.lease.owner());
}
