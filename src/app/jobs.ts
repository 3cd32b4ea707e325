import type { CitebotCore } from '../core.js';
import { applyMessageSyncBatch, MESSAGE_SYNC_JOB, type MessageSyncBatch } from './conversation-follower.js';

/**
 * The job kinds any citebot process can resume from their payload alone, registered on the core's
 * queue. Adapters register their own (a Slack `/ingest` resumes through the Slack adapter).
 */
export function registerJobHandlers(core: CitebotCore): void {
  core.jobs.handle(MESSAGE_SYNC_JOB, (payload) => applyMessageSyncBatch(core, payload as MessageSyncBatch));
}
