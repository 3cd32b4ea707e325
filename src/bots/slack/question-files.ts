import type { webApi } from '@slack/bolt';
import type { SharedFile } from '../../app/shared-files.js';
import type { IngestResult } from '../../ingest/indexer.js';
import { ingestWithProgress } from '../common/ingest-flow.js';
import { textMessage } from './answer-render.js';
import { sharedSlackFile, type SlackFile } from './channel-files.js';
import { escapeMrkdwn } from './mrkdwn.js';
import type { PostedMessage } from './posted-message.js';
import type { SlackContext } from './slack-context.js';

/** A file as a message event carries it: in full, or only its id when Slack wants files.info asked. */
export type EventFile = SlackFile & { file_access?: string };

/**
 * Files attached to a question (a screenshot, a PDF) are shared like any other: indexed into the
 * channel's scope with the same limits and refusals as `/ingest`, progress and summary in `progress`,
 * before the question is answered, so the answer can cite them.
 */
export async function indexQuestionFiles(
  context: SlackContext,
  client: webApi.WebClient,
  scope: string,
  files: EventFile[],
  progress: PostedMessage,
): Promise<IngestResult[] | undefined> {
  const settings = context.core.settings;
  const load = async (): Promise<SharedFile[]> => {
    const full = await Promise.all(
      files.map(async (f) =>
        f.url_private_download || f.url_private || !f.id ? f : ((await client.files.info({ file: f.id })) as { file?: SlackFile }).file,
      ),
    );
    return full.map((f) => f && sharedSlackFile(f, settings)).filter((f): f is SharedFile => f !== undefined);
  };
  return ingestWithProgress(
    context.core,
    {
      show: (text) => progress.show(textMessage(escapeMrkdwn(text))),
      progress: (text) => progress.progress(textMessage(escapeMrkdwn(text))),
    },
    { scope, kind: 'slack-files' },
    load,
  );
}
