import type { webApi } from '@slack/bolt';
import type { ConversationMessage } from '../../store/conversation-message.js';

/** A Slack message as conversations.history / conversations.replies / events / exports carry it. */
export interface SlackRawMessage {
  type?: string;
  subtype?: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  reply_count?: number;
  /** Files attached to the message (an export lists them; citebot indexes messages' text only). */
  files?: unknown[];
  user_profile?: { display_name?: string; real_name?: string; name?: string };
}

/**
 * Subtypes that are people talking: a reply also sent to the channel, a file shared with a comment,
 * a /me. Every other subtype (joins, leaves, topic and purpose changes, bot messages, channel
 * renames, pins…) is the system talking, and is not indexed.
 */
const SPOKEN_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message']);

/** Whether a message is part of the conversation: a person's (not citebot's, not a bot's, not the system's), with text. */
export function isSpokenMessage(m: SlackRawMessage, botUserId: string): boolean {
  if (m.subtype !== undefined && !SPOKEN_SUBTYPES.has(m.subtype)) return false;
  if (m.bot_id || !m.user || m.user === botUserId) return false;
  return Boolean(m.text?.trim());
}

/** A message's link: https://<team>.slack.com/archives/<C>/p<ts without the dot>, with the thread for a reply. */
export function slackPermalink(workspaceUrl: string, channel: string, ts: string, threadTs?: string): string {
  const base = `${workspaceUrl.replace(/\/+$/u, '')}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

/** Display names by user id: users.info once per person (or a fixed table, for an export). */
export class SlackNames {
  private readonly names = new Map<string, Promise<string>>();

  constructor(private readonly lookup: (userId: string) => Promise<string | undefined>) {}

  static fromClient(client: webApi.WebClient): SlackNames {
    return new SlackNames(async (user) => {
      const info = (await client.users.info({ user })) as {
        user?: { profile?: { display_name?: string; real_name?: string }; name?: string };
      };
      const u = info.user;
      return u?.profile?.display_name || u?.profile?.real_name || u?.name;
    });
  }

  name(userId: string): Promise<string> {
    let name = this.names.get(userId);
    if (!name) {
      // A person citebot cannot look up is still cited, by id.
      name = this.lookup(userId)
        .then((n) => n || userId)
        .catch(() => userId);
      this.names.set(userId, name);
    }
    return name;
  }
}

const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>/gu;
const CHANNEL_LINK = /<#([CG][A-Z0-9]+)(?:\|([^<>]*))?>/gu;
const URL_LINK = /<((?:https?|mailto):[^<>|\s]+)(?:\|([^<>]*))?>/gu;

/** Slack's markup as a reader sees it: "<@U1>" → "@ana", "<#C1|general>" → "#general", "<url|label>" → "label (url)". */
async function readableText(text: string, names: SlackNames): Promise<string> {
  const users = [...text.matchAll(USER_MENTION)].map((m) => m[1]!);
  const resolved = new Map(await Promise.all(users.map(async (u) => [u, await names.name(u)] as const)));
  return text
    .replace(USER_MENTION, (_m, id: string, label?: string) => `@${label || resolved.get(id) || id}`)
    .replace(CHANNEL_LINK, (_m, id: string, label?: string) => `#${label || id}`)
    .replace(URL_LINK, (_m, url: string, label?: string) => (label && label !== url ? `${label} (${url})` : url))
    .replace(/&lt;/gu, '<')
    .replace(/&gt;/gu, '>')
    .replace(/&amp;/gu, '&');
}

/** A spoken Slack message in the core's form (mass mentions such as <!channel> are made inert when it is indexed). */
export async function conversationMessage(
  m: SlackRawMessage,
  channel: string,
  names: SlackNames,
  workspaceUrl: string,
): Promise<ConversationMessage> {
  const author = m.user_profile?.display_name || m.user_profile?.real_name || (await names.name(m.user!));
  const startsThread = m.thread_ts === m.ts || (m.reply_count ?? 0) > 0;
  return {
    id: m.ts,
    ...((m.thread_ts || startsThread) && { threadId: m.thread_ts ?? m.ts }),
    author,
    authorId: m.user,
    sentAt: new Date(Number(m.ts.split('.')[0]) * 1000 + Math.floor(Number(`0.${m.ts.split('.')[1] ?? '0'}`) * 1000)).toISOString(),
    text: await readableText(m.text ?? '', names),
    url: slackPermalink(workspaceUrl, channel, m.ts, m.thread_ts),
  };
}
