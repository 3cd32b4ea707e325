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

/** Why an exported message was not imported, as the summary counts them. */
export type SkipReason = 'join or leave' | 'bot message' | 'tombstone' | 'image-only message' | 'other channel event';
export type ExportSkips = Record<SkipReason, number>;

const JOINS = new Set(['channel_join', 'channel_leave', 'group_join', 'group_leave']);

/** Why a message that is not spoken was left out (see isSpokenMessage). */
function skipReason(m: SlackRawMessage, isBot: boolean): SkipReason {
  if (m.subtype && JOINS.has(m.subtype)) return 'join or leave';
  if (m.subtype === 'tombstone') return 'tombstone';
  if (m.bot_id || m.subtype === 'bot_message' || isBot) return 'bot message';
  if (!m.text?.trim() && m.files?.length) return 'image-only message';
  return 'other channel event';
}

export interface ExportImportResult extends ConversationIngestResult {
  channel: string;
  /** The scope imported into: --scope's, with a channel given by name replaced by its id. */
  scope: string;
  skipped: ExportSkips & { total: number };
  /** Files attached to imported messages: not indexed from an export (its files are links to Slack, not bytes). */
  filesNotImported: number;
}
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
): Promise<ExportImportResult> {
  const m = /^slack:([^:]+):([^:]+)$/u.exec(scope);
  if (!m) throw invalid(`--scope ${scope} is not a Slack channel`, 'pass --scope slack:<team id>:<channel id>, e.g. slack:T0123:C0456');
  const given = m[2]!;
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
  // A channel by id, or by the name channels.json maps to its id ("general" for #general).
  const listed = lists.flat().filter((c): c is ExportChannel => Boolean(c));
  const channel = listed.find((c) => c.id === given) ?? listed.find((c) => c.name === given.replace(/^#/u, ''));
  if (!channel)
    throw invalid(
      `channel ${given} is not in this export`,
      `check the channel id or name in --scope (the export has ${listed.map((c) => (c.name ? `${c.name} (${c.id})` : c.id)).join(', ') || 'no channels'})`,
    );
  const channelId = channel.id;
  const target = `slack:${m[1]!}:${channelId}`;
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
  const skipped: ExportSkips = { 'join or leave': 0, 'bot message': 0, tombstone: 0, 'image-only message': 0, 'other channel event': 0 };
  let filesNotImported = 0;
  async function* pages(): AsyncGenerator<ConversationMessage[]> {
    for (const day of days) {
      const raw = (await json<SlackRawMessage[]>(zip, day.name)) ?? [];
      const spoken: SlackRawMessage[] = [];
      for (const msg of raw) {
        const isBot = Boolean(msg.user && users.get(msg.user)?.is_bot);
        if (msg.user && !isBot && isSpokenMessage(msg, '')) {
          spoken.push(msg);
          filesNotImported += msg.files?.length ?? 0;
        } else skipped[skipReason(msg, isBot)]++;
      }
      yield await Promise.all(spoken.map((msg) => conversationMessage(msg, channelId, names, workspaceUrl)));
    }
  }
  const { done } = await queueIngest(core, { scope: target, kind: 'slack-export' }, () =>
    ingestConversation(core, { scope: target, name }, pages, onProgress),
  );
  const result = await done;
  const skippedTotal = Object.values(skipped).reduce((a, b) => a + b, 0);
  return { ...result, channel: name, scope: target, skipped: { ...skipped, total: skippedTotal }, filesNotImported };
}
