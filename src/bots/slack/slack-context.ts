import { isAnsweredThread, rememberAnsweredThread } from '../../app/channels.js';
import type { ConversationFollower } from '../../app/conversation-follower.js';
import type { CitebotCore } from '../../core.js';
import type { WorkspaceFeatures } from './answer-stream.js';
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
  /** Workspaces that refused native streaming or assistant statuses. */
  features: WorkspaceFeatures;
}

/**
 * Threads citebot answered in, and threads known not to be its own. Its own are remembered through
 * the app (the store), so a restart or another replica knows them; "not ours" is a short-lived
 * cache here, so busy threads elsewhere do not cost a conversations.replies per message. A thread
 * becomes citebot's only by a mention, which adds it.
 */
export class ThreadRegistry {
  private readonly notOurs = new Map<string, number>();

  constructor(
    private readonly core: CitebotCore,
    private readonly max = 10_000,
    private readonly notOursTtlMs = 10 * 60_000,
  ) {}

  /** Slack channel ids are unique across workspaces (a shared channel keeps its id): they key the thread. */
  private key(channel: string, threadTs: string): string {
    return `slack:${channel}:${threadTs}`;
  }

  async add(channel: string, threadTs: string): Promise<void> {
    const key = this.key(channel, threadTs);
    this.notOurs.delete(key);
    await rememberAnsweredThread(this.core, key);
  }

  addNotOurs(channel: string, threadTs: string): void {
    const key = this.key(channel, threadTs);
    this.notOurs.delete(key);
    this.notOurs.set(key, Date.now());
    if (this.notOurs.size > this.max) this.notOurs.delete(this.notOurs.keys().next().value!);
  }

  /** true: citebot's; false: known not to be (recently); undefined: ask Slack. */
  async knows(channel: string, threadTs: string): Promise<boolean | undefined> {
    const key = this.key(channel, threadTs);
    if (await isAnsweredThread(this.core, key)) return true;
    const at = this.notOurs.get(key);
    return at !== undefined && Date.now() - at < this.notOursTtlMs ? false : undefined;
  }
}
