import type { CitebotCore } from '../core.js';
import { oneLine } from '../errors.js';
import type { ConversationChannel, ConversationMessage } from '../store/conversation-message.js';
import { log } from '../log.js';
import { applyMessageChanges, newerCursor } from './conversation-sync.js';
import { queueIngest } from './ingest.js';

/** One message event, in platform-agnostic form. */
export type MessageEvent = { kind: 'upsert'; message: ConversationMessage } | { kind: 'delete'; id: string };

interface Pending {
  channel: ConversationChannel;
  upserts: Map<string, ConversationMessage>;
  deletions: Set<string>;
  timer?: NodeJS.Timeout;
  failures: number;
}

/** After a failed batch (Ollama or Chroma down), wait this many delays before trying it again. */
const RETRY_DELAYS = [5, 20, 60];

/**
 * Follows the conversation of channels that had their first /ingest: message events are collected
 * per channel for MESSAGE_SYNC_DELAY_MS after the first, then applied together in the scope's ingest
 * queue, so a busy channel is embedded a batch at a time. Events of channels not followed are
 * ignored. A batch that fails is kept and tried again; nothing is dropped while the process runs,
 * and after a restart the platform adapter catches up from the channel's cursor.
 */
export class ConversationFollower {
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly core: CitebotCore,
    private readonly delayMs = core.settings.MESSAGE_SYNC_DELAY_MS,
  ) {}

  /** Whether events of this scope are followed. */
  async follows(scope: string): Promise<boolean> {
    return this.core.settings.INDEX_MESSAGES && (await this.core.state.messages.channel(scope)) !== undefined;
  }

  /** Queues an event; false when the channel is not followed (nothing to do). */
  async push(channel: ConversationChannel, event: MessageEvent): Promise<boolean> {
    if (!(await this.follows(channel.scope))) return false;
    const batch = this.batchOf(channel);
    if (event.kind === 'upsert') {
      batch.deletions.delete(event.message.id);
      batch.upserts.set(event.message.id, event.message);
    } else {
      batch.upserts.delete(event.id);
      batch.deletions.add(event.id);
    }
    batch.timer ??= setTimeout(() => this.start(channel.scope), this.delayMs);
    return true;
  }

  /** Applies everything pending now and waits for it (shutdown, tests). */
  async flush(): Promise<void> {
    for (const scope of [...this.pending.keys()]) this.start(scope);
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Stops the timers; what is pending is applied first. */
  async close(): Promise<void> {
    await this.flush();
  }

  private batchOf(channel: ConversationChannel): Pending {
    let batch = this.pending.get(channel.scope);
    if (!batch) {
      batch = { channel, upserts: new Map(), deletions: new Set(), failures: 0 };
      this.pending.set(channel.scope, batch);
    }
    batch.channel = channel;
    return batch;
  }

  private start(scope: string): void {
    const batch = this.pending.get(scope);
    if (!batch) return;
    clearTimeout(batch.timer);
    this.pending.delete(scope);
    const run = this.apply(batch).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async apply(batch: Pending): Promise<void> {
    const { channel } = batch;
    const upserts = [...batch.upserts.values()];
    const deletions = [...batch.deletions];
    try {
      const changes: MessageSyncBatch = { channel, upserts, deletions };
      const { done } = await queueIngest(this.core, { scope: channel.scope, kind: MESSAGE_SYNC_JOB, payload: changes }, () =>
        applyMessageSyncBatch(this.core, changes),
      );
      await done;
    } catch (error) {
      const wait = RETRY_DELAYS[batch.failures];
      if (wait === undefined)
        return log.error(
          `conversation sync: ${channel.name}: gave up on ${upserts.length + deletions.length} change(s): ${oneLine(error)}; /ingest reads them again`,
        );
      log.warn(`conversation sync: ${channel.name}: ${oneLine(error)}; trying again`);
      // Changes that arrived meanwhile are newer: they win over the failed batch's.
      const retry = this.batchOf(channel);
      retry.failures = batch.failures + 1;
      for (const m of upserts) if (!retry.upserts.has(m.id) && !retry.deletions.has(m.id)) retry.upserts.set(m.id, m);
      for (const id of deletions) if (!retry.upserts.has(id)) retry.deletions.add(id);
      clearTimeout(retry.timer);
      retry.timer = setTimeout(() => this.start(channel.scope), Math.max(1, this.delayMs) * wait);
    }
  }
}

/** The job kind of a batch of message events (resumable: the batch is its own payload). */
export const MESSAGE_SYNC_JOB = 'message-sync';

/** A batch of one channel's message events, as queued (JSON). */
export interface MessageSyncBatch {
  channel: ConversationChannel;
  upserts: ConversationMessage[];
  deletions: string[];
}

/** Applies a batch to a followed channel and moves its cursor; a channel forgotten meanwhile is left alone. */
export async function applyMessageSyncBatch(core: CitebotCore, batch: MessageSyncBatch): Promise<void> {
  const { channel, upserts, deletions } = batch;
  const store = core.state.messages;
  const followed = await store.channel(channel.scope);
  if (!core.settings.INDEX_MESSAGES || !followed) return;
  await applyMessageChanges(core, channel, { upserts, deletions });
  const cursor = upserts.reduce<string | undefined>((c, m) => newerCursor(c, m.id), followed.cursor);
  if (cursor) await store.setCursor(channel.scope, cursor);
}
