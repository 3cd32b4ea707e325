import type { webApi } from '@slack/bolt';
import { messages, type Language } from '../../messages/index.js';
import type { WorkspaceFeatures } from './answer-stream.js';

export interface StatusTarget {
  teamId: string;
  channel: string;
  threadTs: string;
  language: Language;
  /** "#general", or placeholders.thisConversation. */
  where: string;
}

/**
 * The assistant's status under a question ("is searching…"), from the catalogue in the question's
 * language, with loading messages Slack rotates through. Slack clears it when citebot replies in the
 * thread. A workspace that refuses it (no `assistant:write` on an older install) is not asked again.
 */
export function assistantStatus(client: webApi.WebClient, features: WorkspaceFeatures, t: StatusTarget): (text: string) => Promise<void> {
  const status = messages(t.language).status;
  let first = true;
  return async (text) => {
    if (!features.allows('status', t.teamId)) return;
    const loading = first ? { loading_messages: [status.searching(t.where), status.writing] } : {};
    first = false;
    try {
      await client.assistant.threads.setStatus({ channel_id: t.channel, thread_ts: t.threadTs, status: text, ...loading });
    } catch (error) {
      features.refuse('status', t.teamId, error);
    }
  };
}
