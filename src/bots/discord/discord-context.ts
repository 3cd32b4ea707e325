import type { CitebotCore } from '../../core.js';

/** What every Discord listener needs. */
export interface DiscordContext {
  core: CitebotCore;
  /** citebot's own user id, known once the client is ready. */
  botId: string;
}

export function createDiscordContext(core: CitebotCore, botId: string): DiscordContext {
  return { core, botId };
}
