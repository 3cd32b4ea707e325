import { channelLanguage } from '../../app/channels.js';
import type { webApi } from '@slack/bolt';
import { summarizeConversation } from '../../app/conversation-ingest.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { messages } from '../../messages/index.js';
import { failureMessage } from '../common/failure-message.js';
import { ThrottledEdit } from '../common/throttled-edit.js';
import { textMessage } from './answer-render.js';
import { ingestSlackConversation } from './conversation-ingest.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { PostedMessage } from './posted-message.js';
import { slackScope } from './scope.js';
import type { SlackContext } from './slack-context.js';

/** Slack's answer when citebot may not read a conversation: it must be a member. */
const NOT_READABLE = new Set(['not_in_channel', 'channel_not_found', 'missing_scope']);

/**
 * `/ingest`'s second half: the channel's conversation, shown under the files' summary in the same
 * message ("Reading messages… 1,200", then one line of what was indexed). Runs inside the `/ingest` job
 * (its scope's lane).
 */
export async function ingestConversationWithProgress(
  context: SlackContext,
  client: webApi.WebClient,
  progress: PostedMessage,
  teamId: string,
  channelId: string,
  filesSummary: string,
): Promise<void> {
  const payload = (line: string) => textMessage(escapeMrkdwn(`${filesSummary}\n${line}`));
  const show = (line: string) => progress.show(payload(line));
  const edits = new ThrottledEdit((line) => progress.progress(payload(line)), context.core.settings.STREAM_EDIT_INTERVAL_MS);
  const scope = slackScope(teamId, channelId);
  // No question here: the channel's language (that of its last question).
  const language = await channelLanguage(context.core, scope);
  const text = messages(language);
  try {
    await show(text.ingest.readingMessages());
    const result = await ingestSlackConversation(context, client, teamId, channelId, (n) => edits.push(text.ingest.readingMessages(n)));
    await edits.close();
    await show(summarizeConversation(result, language));
  } catch (error) {
    await edits.close();
    const code = (error as { data?: { error?: string } }).data?.error;
    const line =
      code && NOT_READABLE.has(code)
        ? text.ingest.slackConversationNotReadable
        : `${failureMessage(error, 'ingestMessages', language)} ${text.failure.keptMessages}`;
    await show(line).catch((shown: unknown) => log.warn(`could not show the conversation ingest failure: ${oneLine(shown)}`));
  }
}
