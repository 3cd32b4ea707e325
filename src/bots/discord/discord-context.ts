import type { CitebotCore } from '../../core.js';
import { IngestLocks } from '../common/ingest-flow.js';

/** What every Discord listener needs. */
export interface DiscordContext {
  core: CitebotCore;
  /** citebot's own user id, known once the client is ready. */
  botId: string;
  ingests: IngestLocks;
}

export function createDiscordContext(core: CitebotCore, botId: string): DiscordContext {
  return { core, botId, ingests: new IngestLocks() };
}
