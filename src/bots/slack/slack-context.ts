import type { ConversationFollower } from '../../app/conversation-follower.js';
import type { CitebotCore } from '../../core.js';
import type { SlackNames } from './conversation-messages.js';
import type { SlackOutbox } from './message-outbox.js';

/** What every Slack listener needs: the core, and who citebot is in this workspace. */
export interface SlackContext {
  core: CitebotCore;
  /** Where citebot's own messages go out, within Slack's rate limits. */
  outbox: SlackOutbox;
  /** citebot's own user id (auth.test), to find its mention and its messages. */
  botUserId: string;
  /** Threads citebot has answered in (channel:thread_ts): replies there are follow-ups. */
  threads: ThreadRegistry;
  /** Message events of channels whose conversation is indexed, applied in batches. */
  follower?: ConversationFollower;
  /** Display names for message authors, looked up once each. */
  names?: SlackNames;
  /** https://<team>.slack.com/ (auth.test `url`), for message permalinks. */
  workspaceUrl?: string;
}

/**
 * Threads citebot answered in (after a restart the thread itself is checked), and threads known
 * not to be its own, so busy threads elsewhere do not cost a conversations.replies per message. A
 * thread becomes citebot's only by a mention, which adds it here.
 */
export class ThreadRegistry {
  private readonly ours = new Map<string, number>();
  private readonly notOurs = new Map<string, number>();

  constructor(
    private readonly max = 10_000,
    private readonly notOursTtlMs = 10 * 60_000,
  ) {}

  add(channel: string, threadTs: string): void {
    const key = `${channel}:${threadTs}`;
    this.notOurs.delete(key);
    remember(this.ours, key, this.max);
  }

  addNotOurs(channel: string, threadTs: string): void {
    remember(this.notOurs, `${channel}:${threadTs}`, this.max);
  }

  /** true: citebot's; false: known not to be (recently); undefined: ask Slack. */
  knows(channel: string, threadTs: string): boolean | undefined {
    const key = `${channel}:${threadTs}`;
    if (this.ours.has(key)) return true;
    const at = this.notOurs.get(key);
    return at !== undefined && Date.now() - at < this.notOursTtlMs ? false : undefined;
  }
}

/** Insert as newest; drop the oldest past `max`. */
function remember(map: Map<string, number>, key: string, max: number): void {
  map.delete(key);
  map.set(key, Date.now());
  if (map.size > max) map.delete(map.keys().next().value!);
}
