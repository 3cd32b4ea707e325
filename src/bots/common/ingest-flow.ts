import { channelLanguage } from '../../app/channels.js';
import { queueIngest } from '../../app/ingest.js';
import type { CitebotCore } from '../../core.js';
import { oneLine } from '../../errors.js';
import { log } from '../../log.js';
import type { IngestResult } from '../../ingest/indexer.js';
import { ingestSharedFiles, summarizeIngest, type SharedFile } from '../../app/shared-files.js';
import { messages } from '../../messages/index.js';
import { failureMessage } from './failure-message.js';
import { ThrottledEdit } from './throttled-edit.js';

/** One message that shows an ingest's progress and then its summary (plain text; the platform escapes). */
export interface ProgressView {
  /** A state the user must see (found, summary, failure). */
  show(text: string): Promise<unknown>;
  /** A passing state ("Indexed 3/12"), which the platform may skip under its rate limits; default `show`. */
  progress?(text: string): Promise<unknown>;
}

/**
 * Lists, downloads and indexes a channel's files into its scope, editing one progress message at a
 * bounded rate ("Indexed 3/12 · budget.xlsx: encrypted, skipped") and ending with a summary. A
 * failure (Ollama or Chroma down) ends the message with a short reason; what was indexed stays.
 * Ingests in the same channel run one after another: one started while another runs says it is
 * queued, then runs, so a file shared meanwhile is indexed exactly once.
 */
export async function ingestWithProgress(
  core: CitebotCore,
  view: ProgressView,
  job: { scope: string; kind: string; payload?: unknown },
  load: () => Promise<SharedFile[]>,
  options: { nothingFound?: string } = {},
): Promise<IngestResult[] | undefined> {
  const { scope } = job;
  const { ahead, done } = await queueIngest(core, job, () => ingestFilesWithProgress(core, view, scope, load, options));
  if (ahead > 0) await showQueued(core, view, scope);
  return done;
}

/** "Queued behind another ingest in this channel" on the progress message; best effort. */
export async function showQueued(core: CitebotCore, view: ProgressView, scope: string): Promise<void> {
  await Promise.resolve(view.show(messages(await channelLanguage(core, scope)).ingest.queued)).catch(() => {});
}

/** The work of `ingestWithProgress`, run inside its lane's job (the caller queued it). */
export async function ingestFilesWithProgress(
  core: CitebotCore,
  view: ProgressView,
  scope: string,
  load: () => Promise<SharedFile[]>,
  options: { nothingFound?: string },
): Promise<IngestResult[] | undefined> {
  const edits = new ThrottledEdit((line) => (view.progress ?? view.show).call(view, line), core.settings.STREAM_EDIT_INTERVAL_MS);
  // No question here: the channel's language (that of its last question).
  const language = await channelLanguage(core, scope);
  const text = messages(language);
  try {
    const files = await load();
    if (files.length === 0) {
      await view.show(options.nothingFound ?? summarizeIngest([], language));
      return [];
    }
    await view.show(text.ingest.found(files.length));
    const indexer = await core.indexer();
    const results = await ingestSharedFiles(indexer, scope, files, (line) => edits.push(line), language);
    await edits.close();
    await view.show(summarizeIngest(results, language));
    return results;
  } catch (error) {
    await edits.close();
    await Promise.resolve(view.show(`${failureMessage(error, 'ingest', language)} ${text.failure.keptIndexed}`)).catch((shown: unknown) =>
      log.warn(`could not show the ingest failure to the user: ${oneLine(shown)}`),
    );
    return undefined;
  }
}
