import { ConversationFollower } from '../../app/conversation-follower.js';
import type { CitebotCore } from '../../core.js';

/** What every Discord listener needs. */
export interface DiscordContext {
  core: CitebotCore;
  /** citebot's own user id, known once the client is ready. */
  botId: string;
  /** Message events of channels whose conversation is indexed, applied in batches. */
  follower?: ConversationFollower;
}

export function createDiscordContext(core: CitebotCore, botId: string): DiscordContext {
  return { core, botId, follower: new ConversationFollower(core) };
}
