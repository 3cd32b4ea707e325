/**
 * Requests as Slack sends them to an app's Request URL (a Bolt HTTPReceiver, by default
 * http://127.0.0.1:<port>/slack/events), signed with the app's signing secret:
 * x-slack-signature = "v0=" + hex HMAC-SHA256(secret, `v0:${timestamp}:${rawBody}`),
 * x-slack-request-timestamp = seconds. Bolt refuses (401, empty body) a wrong signature or a
 * timestamp more than 5 minutes old.
 *
 * Bolt parses a form body only when Content-Type is exactly "application/x-www-form-urlencoded"
 * (with "; charset=…" it tries JSON and answers 400), so these helpers send exactly what Slack sends.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

export function signRequest(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): SlackSignatureHeaders {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

export interface PostSignedOptions {
  secret: string;
  body: string;
  contentType: string;
  /** Sent as x-slack-retry-num (and x-slack-retry-reason, default "http_timeout"), as on a redelivery. */
  retryNum?: number;
  retryReason?: string;
  /** Sign with a different secret. */
  badSignature?: boolean;
  /** Seconds; e.g. now - 600 for a stale request. */
  timestamp?: number;
}

export interface SlackPostResult {
  status: number;
  body: string;
  /** Wall time until the response finished: how long Slack would have waited for the ack. */
  ms: number;
}

export function postSigned(url: string, o: PostSignedOptions): Promise<SlackPostResult> {
  const headers: Record<string, string | number> = {
    'content-type': o.contentType,
    'content-length': Buffer.byteLength(o.body),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signRequest(o.badSignature ? `${o.secret}-wrong` : o.secret, o.body, o.timestamp),
  };
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = o.retryNum;
    headers['x-slack-retry-reason'] = o.retryReason ?? 'http_timeout';
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const form = (fields: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)).toString();

let sequence = 0;
const nextId = (prefix: string) => `${prefix}${String(++sequence).padStart(10, '0')}`;

export interface SlashCommandFields {
  command: string;
  text: string;
  team_id: string;
  channel_id: string;
  channel_name?: string;
  user_id: string;
  user_name?: string;
  response_url: string;
  trigger_id?: string;
  team_domain?: string;
  api_app_id?: string;
}

/** A slash command, form-encoded with the fields Slack sends. */
export function slashCommand(
  url: string,
  secret: string,
  f: SlashCommandFields,
  extra: Partial<PostSignedOptions> = {},
): Promise<SlackPostResult> {
  const body = form({
    token: 'deprecatedVerificationToken',
    team_id: f.team_id,
    team_domain: f.team_domain ?? 'citebot-test',
    channel_id: f.channel_id,
    channel_name: f.channel_name ?? 'general',
    user_id: f.user_id,
    user_name: f.user_name ?? f.user_id.toLowerCase(),
    command: f.command,
    text: f.text,
    api_app_id: f.api_app_id ?? 'A0CITEBOT',
    is_enterprise_install: 'false',
    response_url: f.response_url,
    trigger_id: f.trigger_id ?? `${Date.now()}.${nextId('')}.0123456789abcdef0123456789abcdef`,
  });
  return postSigned(url, { secret, body, contentType: FORM, ...extra });
}

export interface EventCallbackFields {
  team_id: string;
  event: Record<string, unknown>;
  event_id?: string;
  event_time?: number;
  api_app_id?: string;
  /** Default: one authorization for botUserId (if given), as Slack includes for the receiving app. */
  authorizations?: Record<string, unknown>[];
  botUserId?: string;
  retryNum?: number;
  retryReason?: string;
}

/** An Events API delivery: JSON {type:'event_callback', …}. */
export function eventCallback(
  url: string,
  secret: string,
  f: EventCallbackFields,
  extra: Partial<PostSignedOptions> = {},
): Promise<SlackPostResult> {
  const authorizations =
    f.authorizations ??
    (f.botUserId
      ? [{ enterprise_id: null, team_id: f.team_id, user_id: f.botUserId, is_bot: true, is_enterprise_install: false }]
      : undefined);
  const body = JSON.stringify({
    token: 'deprecatedVerificationToken',
    team_id: f.team_id,
    api_app_id: f.api_app_id ?? 'A0CITEBOT',
    event: f.event,
    type: 'event_callback',
    event_id: f.event_id ?? nextId('Ev'),
    event_time: f.event_time ?? Math.floor(Date.now() / 1000),
    ...(authorizations ? { authorizations } : {}),
    is_ext_shared_channel: false,
  });
  return postSigned(url, { secret, body, contentType: JSON_TYPE, retryNum: f.retryNum, retryReason: f.retryReason, ...extra });
}

/** An interactivity request (block_actions, view_submission, …): form field payload=<json>. */
export function blockAction(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  extra: Partial<PostSignedOptions> = {},
): Promise<SlackPostResult> {
  return postSigned(url, { secret, body: form({ payload: JSON.stringify(payload) }), contentType: FORM, ...extra });
}

/** The handshake Slack sends when the Request URL is saved; Bolt answers {challenge}. */
export function urlVerification(
  url: string,
  secret: string,
  challenge = 'citebot-challenge',
  extra: Partial<PostSignedOptions> = {},
): Promise<SlackPostResult> {
  const body = JSON.stringify({ token: 'deprecatedVerificationToken', challenge, type: 'url_verification' });
  return postSigned(url, { secret, body, contentType: JSON_TYPE, ...extra });
}
