import JSZip from 'jszip';
import { readFile } from 'node:fs/promises';
import { ingestConversation, type ConversationIngestResult } from '../../app/conversation-ingest.js';
import { queueIngest } from '../../app/ingest.js';
import type { CitebotCore } from '../../core.js';
import { CitebotError } from '../../errors.js';
import type { ConversationMessage } from '../../store/conversation-message.js';
import { readZipDirectory } from '../../ingest/loaders/zip-directory.js';
import { conversationMessage, isSpokenMessage, SlackNames, type SlackRawMessage } from './conversation-messages.js';

/** A conversation as an export lists it: channels.json, groups.json (private), mpims.json, dms.json. */
interface ExportChannel {
  id: string;
  name?: string;
}
interface ExportUser {
  id: string;
  name?: string;
  is_bot?: boolean;
  profile?: { display_name?: string; real_name?: string };
}

const LISTS = ['channels.json', 'groups.json', 'mpims.json', 'dms.json'];
const DAY_FILE = /^(?:.*\/)?(\d{4}-\d{2}-\d{2})\.json$/u;

/** Whether a .zip is a Slack workspace export (it has a channels.json or users.json at its root). */
export async function isSlackExport(path: string): Promise<boolean> {
  if (!/\.zip$/iu.test(path)) return false;
  try {
    const names = (await readZipDirectory(await readFile(path))).map((e) => e.name);
    return names.includes('users.json') && LISTS.some((l) => names.includes(l));
  } catch {
    return false;
  }
}

function invalid(reason: string, fix: string): CitebotError {
  return new CitebotError('invalid_input', reason, { fix });
}

async function json<T>(zip: JSZip, name: string): Promise<T | undefined> {
  const file = zip.file(name);
  if (!file) return undefined;
  try {
    return JSON.parse(await file.async('string')) as T;
  } catch {
    throw invalid(`${name} in the export is not valid JSON`, 'export the workspace again from Slack (Settings → Import/Export Data)');
  }
}

/**
 * `citebot ingest <slack-export.zip> --scope slack:T:C`: backfills channel C from a Slack
 * workspace export (one folder of daily JSON files per channel) into its scope, with the same
 * thread and day documents and permalinks as /ingest. The channel is followed afterwards, and
 * /ingest in Slack goes on from the newest imported message.
 */
export async function importSlackExport(
  core: CitebotCore,
  path: string,
  scope: string,
  workspaceUrl: string,
  onProgress?: (messages: number) => void,
): Promise<ConversationIngestResult & { channel: string }> {
  const m = /^slack:([^:]+):([^:]+)$/u.exec(scope);
  if (!m) throw invalid(`--scope ${scope} is not a Slack channel`, 'pass --scope slack:<team id>:<channel id>, e.g. slack:T0123:C0456');
  const channelId = m[2]!;
  const bytes = await readFile(path);
  const limit = core.settings.MAX_UNCOMPRESSED_MB * 1024 * 1024;
  const total = (await readZipDirectory(bytes)).reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limit)
    throw invalid(
      `the export unpacks to ${Math.round(total / 1048576)} MB, over MAX_UNCOMPRESSED_MB`,
      'raise MAX_UNCOMPRESSED_MB for this import',
    );
  const zip = await JSZip.loadAsync(bytes);
  const lists = await Promise.all(LISTS.map((l) => json<ExportChannel[]>(zip, l)));
  const channel = lists.flat().find((c) => c?.id === channelId);
  if (!channel)
    throw invalid(
      `channel ${channelId} is not in this export`,
      'check the channel id in --scope (channels.json lists the exported channels)',
    );
  // Public and private channels are folders by name; DMs and group DMs by id.
  const folder = zip.folder(channel.name ?? channelId)?.file(DAY_FILE).length ? channel.name! : channelId;
  const users = new Map(((await json<ExportUser[]>(zip, 'users.json')) ?? []).map((u) => [u.id, u]));
  const names = new SlackNames(async (id) => {
    const u = users.get(id);
    return u?.profile?.display_name || u?.profile?.real_name || u?.name;
  });
  const days = zip
    .file(new RegExp(`^${folder.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}/\\d{4}-\\d{2}-\\d{2}\\.json$`, 'u'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const name = channel.name ? `#${channel.name}` : 'DM';
  async function* pages(): AsyncGenerator<ConversationMessage[]> {
    for (const day of days) {
      const raw = (await json<SlackRawMessage[]>(zip, day.name)) ?? [];
      const spoken = raw.filter((msg) => msg.user && !users.get(msg.user)?.is_bot && isSpokenMessage(msg, ''));
      yield await Promise.all(spoken.map((msg) => conversationMessage(msg, channelId, names, workspaceUrl)));
    }
  }
  const { done } = await queueIngest(core, { scope, kind: 'slack-export' }, () =>
    ingestConversation(core, { scope, name }, pages, onProgress),
  );
  const result = await done;
  return { ...result, channel: name };
}
