import type { webApi } from '@slack/bolt';
import type { Settings } from '../../config.js';
import type { SharedFile } from '../../app/shared-files.js';
import { downloadFile } from '../common/file-download.js';

/** The parts of a Slack file object citebot uses (files.list, files.info). */
export interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  size?: number;
  mimetype?: string;
  user?: string;
  created?: number;
  permalink?: string;
  url_private_download?: string;
  url_private?: string;
  mode?: string;
  is_external?: boolean;
}

/** Slack's own file hosts, plus the host of SLACK_API_URL when it is overridden (GovSlack, tests). */
export function slackFileHosts(settings: Settings): string[] {
  // Subdomains count too (files.slack.com, files.slack-gov.com).
  return [...new Set(['slack.com', 'slack-edge.com', 'slack-files.com', new URL(settings.SLACK_API_URL).hostname])];
}

/** A Slack file as something to ingest: downloaded with the bot token, only from Slack's hosts. */
export function sharedSlackFile(file: SlackFile, settings: Settings): SharedFile | undefined {
  if (!file.id) return undefined;
  const name = file.name || file.title || file.id;
  const maxBytes = Math.round(settings.MAX_FILE_MB * 1024 * 1024);
  return {
    docId: file.id,
    name,
    url: file.permalink ?? '',
    size: file.size,
    mimeType: file.mimetype,
    uploadedBy: file.user,
    uploadedAt: file.created ? new Date(file.created * 1000).toISOString() : undefined,
    download: () =>
      downloadFile(file.url_private_download ?? file.url_private ?? '', name, {
        allowedHosts: slackFileHosts(settings),
        headers: { Authorization: `Bearer ${settings.SLACK_BOT_TOKEN}` },
        maxBytes,
        signInHint: 'the Slack app needs the files:read scope; add it and reinstall the app (README: "Slack")',
      }),
  };
}

/** Every file shared in a channel, newest first, through files.list's pages (`page`/`count` paging). */
export async function listChannelFiles(client: webApi.WebClient, channel: string): Promise<SlackFile[]> {
  const files: SlackFile[] = [];
  for (let page = 1; page <= 100; page++) {
    const response = (await client.files.list({ channel, count: 100, page })) as { files?: SlackFile[]; paging?: { pages?: number } };
    files.push(...(response.files ?? []));
    if (!response.files?.length || page >= (response.paging?.pages ?? 1)) break;
  }
  // External files (Google Drive links…) and posts have nothing to download.
  return files.filter((f) => !f.is_external && f.mode !== 'external' && f.mode !== 'tombstone');
}

/** A file link (…/files/U123/F456/name.pdf), a bare file id, or a file name. */
export function fileReference(text: string): { id?: string; name?: string } {
  const link = /\/files\/[A-Z0-9]+\/(F[A-Z0-9]+)/u.exec(text) ?? /^<?(F[A-Z0-9]{6,})>?$/u.exec(text.trim());
  if (link) return { id: link[1] };
  return { name: text.trim().replace(/^<|>$/gu, '') };
}
