import type { CitebotCore } from '../../core.js';

/** What every Slack listener needs: the core, and who citebot is in this workspace. */
export interface SlackContext {
  core: CitebotCore;
  /** citebot's own user id (auth.test), to find its mention and its messages. */
  botUserId: string;
  /** Threads citebot has answered in (channel:thread_ts): replies there are follow-ups. */
  threads: ThreadRegistry;
}

/** Threads citebot answered in, remembered for a while; after a restart the thread itself is checked. */
export class ThreadRegistry {
  private readonly threads = new Map<string, number>();

  constructor(private readonly max = 10_000) {}

  add(channel: string, threadTs: string): void {
    const key = `${channel}:${threadTs}`;
    this.threads.delete(key);
    this.threads.set(key, Date.now());
    if (this.threads.size > this.max) this.threads.delete(this.threads.keys().next().value!);
  }

  has(channel: string, threadTs: string): boolean {
    return this.threads.has(`${channel}:${threadTs}`);
  }
}
