import { ConversationFollower } from '../../app/conversation-follower.js';
import type { CitebotCore } from '../../core.js';
import { DiscordReplyOutbox } from './reply-outbox.js';

/** What every Discord listener needs. */
export interface DiscordContext {
  core: CitebotCore;
  /** Where citebot's replies go out, within Discord's per-channel limits. */
  outbox: DiscordReplyOutbox;
  /** citebot's own user id, known once the client is ready. */
  botId: string;
  /** Message events of channels whose conversation is indexed, applied in batches. */
  follower?: ConversationFollower;
}

export function createDiscordContext(core: CitebotCore, botId: string): DiscordContext {
  return { core, outbox: new DiscordReplyOutbox(), botId, follower: new ConversationFollower(core) };
}
