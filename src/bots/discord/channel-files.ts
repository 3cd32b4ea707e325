import type { Attachment, Collection, Message, TextBasedChannel } from 'discord.js';
import type { Settings } from '../../config.js';
import { IngestError } from '../../ingest/types.js';
import type { SharedFile } from '../../app/shared-files.js';
import { downloadFile } from '../common/file-download.js';

/** Messages per history request: Discord's maximum. */
const PAGE = 100;

/** Discord's CDN hosts, plus the host of DISCORD_API_URL when it is overridden (tests, proxies). */
export function discordFileHosts(settings: Settings): string[] {
  return [...new Set(['discordapp.com', 'discordapp.net', 'discord.com', new URL(settings.DISCORD_API_URL).hostname])];
}

export interface HistoryScan {
  files: SharedFile[];
  /** Messages read. */
  scanned: number;
  /** The newest message id seen: where the next scan can stop. */
  newest?: string;
  /** True when the scan stopped at DISCORD_HISTORY_LIMIT with older messages left. */
  truncated: boolean;
}

/**
 * Pages back through a channel's history (100 messages a request) collecting attachments, up to
 * `limit` messages or until `since` (the newest message of the last scan).
 */
export async function scanChannelHistory(
  channel: TextBasedChannel,
  settings: Settings,
  options: { limit: number; since?: string },
): Promise<HistoryScan> {
  const files: SharedFile[] = [];
  let before: string | undefined;
  let scanned = 0;
  let newest: string | undefined;
  while (scanned < options.limit) {
    const asked = Math.min(PAGE, options.limit - scanned);
    const page: Collection<string, Message> = await channel.messages.fetch({ limit: asked, ...(before && { before }) });
    if (page.size === 0) return { files, scanned, newest, truncated: false };
    for (const message of page.values()) {
      newest ??= message.id;
      if (options.since && BigInt(message.id) <= BigInt(options.since)) return { files, scanned, newest, truncated: false };
      scanned++;
      files.push(...messageFiles(message, settings));
    }
    before = page.lastKey();
    // A short page is the start of the channel; a full one (even a last, smaller ask) may have more before it.
    if (page.size < asked) return { files, scanned, newest, truncated: false };
  }
  return { files, scanned, newest, truncated: true };
}

/** A message's attachments as files to ingest, cited by the message link. */
export function messageFiles(message: Message, settings: Settings): SharedFile[] {
  return [...message.attachments.values()].map((attachment) => attachmentFile(message, attachment, settings));
}

function attachmentFile(message: Message, attachment: Attachment, settings: Settings): SharedFile {
  const options = {
    allowedHosts: discordFileHosts(settings),
    maxBytes: Math.round(settings.MAX_FILE_MB * 1024 * 1024),
    signInHint: 'Discord served a web page; try again, or re-upload the file',
  };
  return {
    docId: attachment.id,
    name: attachment.name,
    url: message.url,
    size: attachment.size,
    mimeType: attachment.contentType ?? undefined,
    uploadedBy: message.author.id,
    uploadedAt: message.createdAt.toISOString(),
    // No bot token on CDN requests: attachment links are signed. A link that has expired is
    // refreshed by fetching its message again, which signs it anew.
    download: async () => {
      try {
        return await downloadFile(attachment.url, attachment.name, options);
      } catch (error) {
        if (!(error instanceof IngestError) || !/HTTP (403|404|410)/u.test(error.reason)) throw error;
        const fresh = await message.fetch(true);
        const renewed = fresh.attachments.get(attachment.id);
        if (!renewed) throw new IngestError('failed', 'the attachment was deleted');
        return downloadFile(renewed.url, attachment.name, options);
      }
    },
  };
}
