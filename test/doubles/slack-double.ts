/**
 * A test double for the Slack Web API on loopback, so tests run the real @slack/bolt App and
 * @slack/web-api WebClient against it (clientOptions.slackApiUrl = double.apiUrl).
 *
 * Wire behaviour follows the real API: POST /api/<method> with a form-encoded (what the WebClient
 * sends; objects such as `blocks` arrive as JSON strings), JSON or query-string body; the token as
 * `Authorization: Bearer …` (or a `token` field); always HTTP 200 with {ok:true,…} or {ok:false,error},
 * except 429 + Retry-After when rate limited: on by default with Slack's limits (slack-rate-limits.ts), or injected. Private files are served from /files-pri/<team>-<id>/…
 * and answer a 200 HTML sign-in page when the token is missing or wrong, as Slack does.
 * Message timestamps are deterministic: "1700000000.000100", then +100µs, always after any seeded ts.
 *
 * Bolt needs auth.test (checked against Bolt 5.1.0): with `token` and the default
 * tokenVerificationEnabled, `new App()` calls auth.test in its constructor (unless both botId and
 * botUserId are given) and every incoming request awaits that result before its ack, so start the
 * double before the App. If auth.test fails, that rejection is unhandled until the first request, and
 * then every request answers 401 with no listener run. With `deferInitialization: true`,
 * `await app.init()` makes the call and throws instead. With `tokenVerificationEnabled: false` (and no
 * botId/botUserId) Bolt calls auth.test on every incoming request.
 *
 * Strict like Slack: channels must be added (addChannel) before anything is posted or seeded there,
 * else `channel_not_found`; chat.update/delete only touch the bot's own messages.
 *
 * In a test:
 *   const slack = await SlackDouble.start({ teamId: 'T0001', botToken: 'xoxb-test', botUserId: 'U0BOT' });
 *   slack.addChannel({ id: 'C0001', name: 'general' });  slack.addUser({ id: 'U0001', name: 'ana' });
 *   new App({ token: 'xoxb-test', signingSecret, clientOptions: { slackApiUrl: slack.apiUrl } });
 *   await slack.waitFor((c) => c.method === 'chat.postMessage');  slack.messages('C0001');
 *   slack.rateLimitNext('chat.postMessage', 1);  slack.failNext('files.info', 'file_not_found');
 *   await slack.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackRateLimiter, type SlackRateLimitOptions } from './slack-rate-limits.js';

export interface SlackDoubleOptions {
  teamId?: string;
  /** Workspace name (auth.test `team`) and subdomain (permalinks, auth.test `url`). */
  teamName?: string;
  teamDomain?: string;
  botToken?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /**
   * Serve chat.startStream/appendStream/stopStream; otherwise they are `unknown_method`, as on a
   * Slack without the feature (citebot must then fall back to editing a message).
   */
  streaming?: boolean;
  /** Whether the app holds `assistant:write`: without it, assistant.threads.* answer missing_scope (an install not yet reinstalled). */
  assistantScope?: boolean;
  /** Slack's rate limits (see slack-rate-limits.ts), on by default; false turns them off. */
  rateLimits?: SlackRateLimitOptions | false;
}

/** One Web API call as the double answered it (rate-limited and failed calls included). */
export interface SlackCall {
  method: string;
  /** The arguments, decoded (JSON-valued fields such as blocks parsed back), without the token. */
  args: Record<string, unknown>;
  status: number;
  ok: boolean;
  error?: string;
}

export type SlackMessage = Record<string, unknown> & { type: 'message'; ts: string; user: string; text: string; thread_ts?: string };
export type SlackFile = Record<string, unknown> & {
  id: string;
  name: string;
  size: number;
  url_private: string;
  url_private_download: string;
  permalink: string;
};

interface Channel {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  user?: string;
}
interface User {
  id: string;
  name: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
}
interface StoredFile {
  file: SlackFile;
  bytes: Buffer;
  loginPage: boolean;
}

class ApiError extends Error {}

/** Fields the real API decodes from JSON strings when they arrive form-encoded. */
const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'metadata',
  'chunks',
  'unfurls',
  'user_auth_blocks',
  'view',
  'prompts',
  'loading_messages',
]);
const STREAM_METHODS = new Set(['chat.startStream', 'chat.appendStream', 'chat.stopStream']);
const FILE_TYPES: Record<string, [filetype: string, mimetype: string, pretty: string]> = {
  pdf: ['pdf', 'application/pdf', 'PDF'],
  docx: ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'Word Document'],
  xlsx: ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Excel Spreadsheet'],
  pptx: ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'PowerPoint Presentation'],
  txt: ['text', 'text/plain', 'Plain Text'],
  md: ['markdown', 'text/markdown', 'Markdown (raw)'],
  csv: ['csv', 'text/csv', 'CSV'],
  html: ['html', 'text/html', 'HTML'],
  json: ['json', 'application/json', 'JSON'],
  png: ['png', 'image/png', 'PNG'],
  jpg: ['jpg', 'image/jpeg', 'JPEG'],
  zip: ['zip', 'application/zip', 'Zip'],
};
const BINARY: [string, string, string] = ['binary', 'application/octet-stream', 'Binary'];

const micros = (ts: string) => BigInt(ts.replace('.', ''));
const formatTs = (us: bigint) => `${us / 1_000_000n}.${String(us % 1_000_000n).padStart(6, '0')}`;
const byTs = (a: { ts: string }, b: { ts: string }) => (micros(a.ts) < micros(b.ts) ? -1 : micros(a.ts) > micros(b.ts) ? 1 : 0);
const str = (args: Record<string, unknown>, key: string) => (args[key] === undefined || args[key] === '' ? undefined : String(args[key]));
function need(args: Record<string, unknown>, key: string, error = 'invalid_arguments'): string {
  const value = str(args, key);
  if (value === undefined) throw new ApiError(error);
  return value;
}
const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64');
function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor');
  return Number(m[1]);
}

export class SlackDouble {
  readonly calls: SlackCall[] = [];
  /** Private-file GETs: which file, and whether the bytes were served (false: sign-in page). */
  readonly downloads: { fileId: string; path: string; served: boolean }[] = [];
  readonly ephemerals: Record<string, unknown>[] = [];
  readonly allResponses: { url: string; body: unknown }[] = [];
  readonly teamId: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  private readonly opts: Required<SlackDoubleOptions>;
  private readonly channels = new Map<string, Channel>();
  private readonly users = new Map<string, User>();
  private readonly store = new Map<string, SlackMessage[]>();
  private readonly files = new Map<string, StoredFile>();
  private readonly rateLimits = new Map<string, number[]>();
  private readonly limiter?: SlackRateLimiter;
  private readonly failures = new Map<string, string[]>();
  private readonly delays = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private clock = 1_700_000_000_000_000n;
  private responseCount = 0;
  /** Trigger ids handed out with interactions, and until when each may open a view (Slack: 3 seconds). */
  private readonly triggers = new Map<string, number>();
  /** Views opened (modals, by view id) and published (Home tabs, by user). */
  readonly views = new Map<string, Record<string, unknown>>();
  readonly homeTabs = new Map<string, Record<string, unknown>>();
  /** Assistant thread state by "channel thread_ts": the status shown now (cleared when the bot replies), prompts, title. */
  readonly assistantThreads = new Map<string, { status: string; loadingMessages?: string[]; prompts?: unknown[]; title?: string }>();
  private viewCount = 0;

  private constructor(
    private readonly server: Server,
    /** http://127.0.0.1:<port> */
    readonly baseUrl: string,
    options: SlackDoubleOptions,
  ) {
    this.opts = {
      teamId: 'T0CITEBOT',
      teamName: 'Citebot Test',
      teamDomain: 'citebot-test',
      botToken: 'xoxb-citebot-test',
      botUserId: 'U0CITEBOT',
      botId: 'B0CITEBOT',
      appId: 'A0CITEBOT',
      streaming: false,
      assistantScope: true,
      rateLimits: {},
      ...options,
    };
    this.limiter = this.opts.rateLimits === false ? undefined : new SlackRateLimiter(this.opts.rateLimits);
    ({ teamId: this.teamId, botToken: this.botToken, botUserId: this.botUserId, botId: this.botId } = this.opts);
    this.users.set(this.botUserId, { id: this.botUserId, name: 'citebot', isAdmin: false, isOwner: false, isBot: true });
  }

  /** The Web API base, ending in /api/: SLACK_API_URL or clientOptions.slackApiUrl. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  static async start(options: SlackDoubleOptions = {}): Promise<SlackDouble> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const double = new SlackDouble(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      double.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    return double;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ----------------------------------------------------------------------------------- test-side state

  addChannel(c: { id: string; name: string; isPrivate?: boolean; isIm?: boolean; user?: string }): void {
    this.channels.set(c.id, { id: c.id, name: c.name, isPrivate: c.isPrivate ?? Boolean(c.isIm), isIm: c.isIm ?? false, user: c.user });
    if (!this.store.has(c.id)) this.store.set(c.id, []);
  }

  addUser(u: { id: string; name: string; isAdmin?: boolean; isOwner?: boolean; isBot?: boolean }): void {
    this.users.set(u.id, { id: u.id, name: u.name, isAdmin: u.isAdmin ?? false, isOwner: u.isOwner ?? false, isBot: u.isBot ?? false });
  }

  /** Seeds a message as if a person posted it. `ts === threadTs` (or no ts and no such message) seeds the parent. */
  addThreadMessage(channel: string, threadTs: string, m: { user: string; text: string; ts?: string }): SlackMessage {
    const list = this.channelMessages(channel);
    const parentExists = list.some((x) => x.ts === threadTs);
    const isParent = m.ts === threadTs || (m.ts === undefined && !parentExists);
    if (!isParent && !parentExists) throw new Error(`SlackDouble: seed the parent ${threadTs} of this reply first`);
    const ts = isParent ? threadTs : (m.ts ?? this.nextTs());
    this.seen(ts);
    const message: SlackMessage = {
      type: 'message',
      ts,
      user: m.user,
      text: m.text,
      team: this.teamId,
      ...(isParent ? {} : { thread_ts: threadTs }),
    };
    list.push(message);
    list.sort(byTs);
    return message;
  }

  /** What a channel holds now (top-level and thread replies, in ts order), with the latest edits. */
  messages(channel: string): SlackMessage[] {
    return [...(this.store.get(channel) ?? [])];
  }

  addFile(f: {
    id: string;
    name: string;
    channel: string;
    bytes: Uint8Array | string;
    user: string;
    mimetype?: string;
    filetype?: string;
    title?: string;
    created?: number;
    size?: number;
    loginPage?: boolean;
  }): SlackFile {
    const bytes = typeof f.bytes === 'string' ? Buffer.from(f.bytes, 'utf8') : Buffer.from(f.bytes);
    const ext = /\.([a-z0-9]+)$/i.exec(f.name)?.[1]?.toLowerCase() ?? '';
    const [filetype, mimetype, pretty] = FILE_TYPES[ext] ?? Object.values(FILE_TYPES).find((t) => t[0] === f.filetype) ?? BINARY;
    const created = f.created ?? 1_700_000_000 + this.files.size * 60;
    const where = this.channels.get(f.channel);
    const path = `${this.baseUrl}/files-pri/${this.teamId}-${f.id}`;
    const file: SlackFile = {
      id: f.id,
      created,
      timestamp: created,
      name: f.name,
      title: f.title ?? f.name,
      mimetype: f.mimetype ?? mimetype,
      filetype: f.filetype ?? filetype,
      pretty_type: pretty,
      user: f.user,
      user_team: this.teamId,
      editable: false,
      size: f.size ?? bytes.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: !where?.isPrivate,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${path}/${encodeURIComponent(f.name)}`,
      url_private_download: `${path}/download/${encodeURIComponent(f.name)}`,
      permalink: `https://${this.opts.teamDomain}.slack.com/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
      // Slack lists a file's conversations by kind: public channels, private channels ("groups"), DMs.
      channels: where?.isPrivate ? [] : [f.channel],
      groups: where?.isPrivate && !where.isIm ? [f.channel] : [],
      ims: where?.isIm ? [f.channel] : [],
      comments_count: 0,
    };
    this.files.set(f.id, { file, bytes, loginPage: f.loginPage ?? false });
    return file;
  }

  /** A fresh response_url on the double; what is POSTed there is kept in responses(url). */
  responseUrl(): string {
    return `${this.baseUrl}/response/${++this.responseCount}`;
  }

  responses(url: string): unknown[] {
    return this.allResponses.filter((r) => r.url === url).map((r) => r.body);
  }

  /** A trigger_id as an interaction payload carries it: views.open accepts it once, within 3 seconds. */
  triggerId(): string {
    const id = `${Math.floor(Date.now() / 1000)}.${this.teamId}.${(this.triggers.size + 1).toString(16).padStart(32, '0')}`;
    this.triggers.set(id, Date.now() + 3000);
    return id;
  }

  /**
   * The view_submission payload Slack sends when `user` submits an open modal with these input
   * values (block_id → action_id → element state, e.g. `{ type: 'radio_buttons', selected_option: {…} }`).
   */
  viewSubmission(viewId: string, user: string, values: Record<string, Record<string, Record<string, unknown>>>): Record<string, unknown> {
    const view = this.views.get(viewId);
    if (!view) throw new Error(`SlackDouble: no open view ${viewId}`);
    return {
      type: 'view_submission',
      team: { id: this.teamId, domain: this.opts.teamDomain },
      user: { id: user, username: this.users.get(user)?.name ?? user, name: this.users.get(user)?.name ?? user, team_id: this.teamId },
      api_app_id: this.opts.appId,
      token: 'deprecatedVerificationToken',
      trigger_id: this.triggerId(),
      view: { ...view, state: { values } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first recorded call (past or future) matching the predicate. */
  waitFor(predicate: (call: SlackCall) => boolean, timeoutMs = 5000): Promise<SlackCall> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.calls.find(predicate);
        if (!hit) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `SlackDouble.waitFor: no matching call within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  // ---------------------------------------------------------------------------------- misbehaviour

  /** The next call of `method` gets HTTP 429 with Retry-After (the WebClient waits, then retries). */
  rateLimitNext(method: string, retryAfterSeconds: number): void {
    this.rateLimits.set(method, [...(this.rateLimits.get(method) ?? []), retryAfterSeconds]);
  }

  /** Serve native streaming from now on, or refuse it (`unknown_method`) as a workspace without the feature. */
  setStreaming(on: boolean): void {
    this.opts.streaming = on;
  }

  /** The next call of `method` answers {ok:false, error}. */
  failNext(method: string, error: string): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** Every call of `method` waits `ms` before it is answered (0 to stop). */
  delay(method: string, ms: number): void {
    this.delays.set(method, ms);
  }

  // -------------------------------------------------------------------------------------- plumbing

  private nextTs(): string {
    this.clock += 100n;
    return formatTs(this.clock);
  }

  private seen(ts: string): void {
    if (!/^\d+\.\d{6}$/.test(ts)) throw new Error(`SlackDouble: "${ts}" is not a Slack ts like 1700000000.000100`);
    if (micros(ts) > this.clock) this.clock = micros(ts);
  }

  private channelMessages(id: string): SlackMessage[] {
    const list = this.store.get(id);
    if (!list) throw new Error(`SlackDouble: unknown channel ${id}; call addChannel() first`);
    return list;
  }

  private channel(args: Record<string, unknown>): { id: string; list: SlackMessage[] } {
    const id = need(args, 'channel', 'channel_not_found');
    const list = this.store.get(id);
    if (!list) throw new ApiError('channel_not_found');
    return { id, list };
  }

  private message(args: Record<string, unknown>, tsKey = 'ts') {
    const { id, list } = this.channel(args);
    const message = list.find((m) => m.ts === str(args, tsKey));
    if (!message) throw new ApiError('message_not_found');
    return { id, list, message };
  }

  /** Slack clears an assistant status when the app replies in the thread. */
  private clearStatus(channel: string, threadTs: string): void {
    const thread = this.assistantThreads.get(`${channel} ${threadTs}`);
    if (thread) thread.status = '';
  }

  private botMessage(fields: Record<string, unknown>): SlackMessage {
    return {
      type: 'message',
      ts: this.nextTs(),
      user: this.botUserId,
      text: '',
      bot_id: this.botId,
      app_id: this.opts.appId,
      team: this.teamId,
      bot_profile: { id: this.botId, app_id: this.opts.appId, name: 'citebot', team_id: this.teamId, deleted: false },
      ...fields,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    if (url.pathname.startsWith('/files-pri/') && (req.method === 'GET' || req.method === 'HEAD'))
      return this.download(req, res, url.pathname);
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      const responseUrl = `${this.baseUrl}${url.pathname}`;
      // Slack takes at most five messages on one response_url (within 30 minutes).
      if (this.allResponses.filter((r) => r.url === responseUrl).length >= 5) {
        res.writeHead(404, { 'content-type': 'text/html' }).end('used_url');
        return;
      }
      this.allResponses.push({ url: responseUrl, body });
      res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
      return;
    }
    const method = /^\/api\/([\w.]+)$/.exec(url.pathname)?.[1];
    if (!method) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }

    const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
    let parseError: string | undefined;
    if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
      try {
        Object.assign(args, JSON.parse(raw || '{}') as Record<string, unknown>);
      } catch {
        parseError = 'invalid_json';
      }
    } else {
      for (const [k, v] of new URLSearchParams(raw)) {
        try {
          args[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
        } catch {
          [args[k], parseError] = [v, k === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments'];
        }
      }
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? str(args, 'token');
    delete args.token;

    const wait = this.delays.get(method) ?? 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let status = 200;
    let body: Record<string, unknown>;
    let retryAfter: number | undefined;
    let failure: string | undefined;
    if (!token) body = { ok: false, error: 'not_authed' };
    else if (token !== this.botToken) body = { ok: false, error: 'invalid_auth' };
    else if (
      (retryAfter = this.rateLimits.get(method)?.shift() ?? this.limiter?.check(method, args) ?? this.conversationRateLimit(method)) !==
      undefined
    )
      [status, body] = [429, { ok: false, error: 'ratelimited' }];
    else if ((failure = this.failures.get(method)?.shift()) !== undefined) body = { ok: false, error: failure };
    else if (parseError) body = { ok: false, error: parseError };
    else {
      try {
        body = { ok: true, ...this.dispatch(method, args) };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        body = { ok: false, error: err.message, ...(err.message === 'unknown_method' ? { req_method: method } : {}) };
      }
    }
    this.calls.push({ method, args, status, ok: body.ok === true, ...(body.ok ? {} : { error: String(body.error) }) });
    for (const waiter of [...this.waiters]) waiter();
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  private download(req: IncomingMessage, res: ServerResponse, path: string): void {
    const m = /^\/files-pri\/([^/]+)-([^/-]+)\/(?:(download)\/)?([^/]+)$/.exec(path);
    const stored = m && m[1] === this.teamId ? this.files.get(m[2] ?? '') : undefined;
    if (!m || !stored || encodeURIComponent(stored.file.name) !== m[4]) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>File not found</body></html>');
      return;
    }
    const served = !stored.loginPage && req.headers.authorization === `Bearer ${this.botToken}`;
    this.downloads.push({ fileId: stored.file.id, path, served });
    if (!served) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.signInPage());
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': String(stored.file.mimetype),
      'content-length': stored.bytes.length,
    };
    // RFC 6266: an ASCII fallback plus the UTF-8 name, as Slack sends for non-ASCII file names.
    if (m[3])
      headers['content-disposition'] =
        `attachment; filename="${stored.file.name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(stored.file.name)}`;
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : stored.bytes);
  }

  private signInPage(): string {
    const team = this.opts.teamName;
    return (
      `<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Slack</title></head><body class="signin">` +
      `<h1>Sign in to ${team}</h1><p>${this.opts.teamDomain}.slack.com</p><form id="signin_form" action="/" method="post">` +
      `<input type="email" name="email"><input type="password" name="password"><button id="signin_btn" type="submit">Sign in</button>` +
      `</form></body></html>`
    );
  }

  // ---------------------------------------------------------------------------------- Web API methods

  private dispatch(method: string, args: Record<string, unknown>): Record<string, unknown> {
    if (STREAM_METHODS.has(method) && !this.opts.streaming) throw new ApiError('unknown_method');
    switch (method) {
      case 'auth.test':
        return {
          url: `https://${this.opts.teamDomain}.slack.com/`,
          team: this.opts.teamName,
          user: 'citebot',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const { id, list } = this.channel(args);
        if (!str(args, 'text') && !args.blocks && !args.attachments) throw new ApiError('no_text');
        const parentTs = str(args, 'thread_ts');
        const parent = parentTs === undefined ? undefined : (list.find((m) => m.ts === parentTs)?.thread_ts ?? parentTs);
        const message = this.botMessage({
          text: str(args, 'text') ?? '',
          ...(args.blocks ? { blocks: args.blocks } : {}),
          ...(parent ? { thread_ts: parent } : {}),
        });
        list.push(message);
        if (parent) this.clearStatus(id, parent);
        return { channel: id, ts: message.ts, message };
      }
      case 'chat.update': {
        const { id, message } = this.message(args);
        if (message.user !== this.botUserId || message.streaming_state === 'in_progress') throw new ApiError('cant_update_message');
        if (args.text !== undefined) message.text = String(args.text);
        if (args.blocks !== undefined) message.blocks = args.blocks;
        message.edited = { user: this.botUserId, ts: this.nextTs() };
        return { channel: id, ts: message.ts, text: message.text, message };
      }
      case 'chat.postEphemeral': {
        const { id } = this.channel(args);
        if (!this.users.has(need(args, 'user', 'user_not_in_channel'))) throw new ApiError('user_not_in_channel');
        const message_ts = this.nextTs();
        this.ephemerals.push({ channel: id, ...args, message_ts });
        return { message_ts };
      }
      case 'chat.delete': {
        const { id, list, message } = this.message(args);
        if (message.user !== this.botUserId) throw new ApiError('cant_delete_message');
        list.splice(list.indexOf(message), 1);
        return { channel: id, ts: message.ts };
      }
      case 'chat.getPermalink': {
        const { id, message } = this.message(args, 'message_ts');
        const thread = message.thread_ts && message.thread_ts !== message.ts ? `?thread_ts=${message.thread_ts}&cid=${id}` : '';
        return {
          channel: id,
          permalink: `https://${this.opts.teamDomain}.slack.com/archives/${id}/p${message.ts.replace('.', '')}${thread}`,
        };
      }
      case 'conversations.replies': {
        const { id: repliesChannel, list } = this.channel(args);
        if (this.outsiders.has(repliesChannel)) throw new ApiError('not_in_channel');
        const ts = need(args, 'ts');
        const head = list.find((m) => m.ts === ts);
        if (!head) throw new ApiError('thread_not_found');
        // A reply's ts gives only that reply; a parent's gives the parent and its replies.
        const replies = head.thread_ts && head.thread_ts !== head.ts ? [] : list.filter((m) => m.thread_ts === head.ts && m.ts !== head.ts);
        const parent = replies.length
          ? {
              ...head,
              thread_ts: head.ts,
              reply_count: replies.length,
              reply_users: [...new Set(replies.map((r) => r.user))],
              reply_users_count: new Set(replies.map((r) => r.user)).size,
              latest_reply: replies.at(-1)?.ts,
            }
          : head;
        return this.page([parent, ...replies.map((r) => ({ ...r, parent_user_id: head.user }))], args, 'messages', 1000);
      }
      case 'conversations.info': {
        const c = this.channels.get(need(args, 'channel', 'channel_not_found'));
        if (!c) throw new ApiError('channel_not_found');
        const channel = c.isIm
          ? { id: c.id, created: 1_700_000_000, is_im: true, is_org_shared: false, user: c.user ?? '', is_user_deleted: false, priority: 0 }
          : {
              id: c.id,
              name: c.name,
              name_normalized: c.name,
              is_channel: !c.isPrivate,
              is_group: c.isPrivate,
              is_im: false,
              is_mpim: false,
              is_private: c.isPrivate,
              is_archived: false,
              is_general: false,
              is_member: true,
              created: 1_700_000_000,
              creator: '',
            };
        return { channel };
      }
      case 'users.info': {
        const u = this.users.get(need(args, 'user', 'user_not_found'));
        if (!u) throw new ApiError('user_not_found');
        return {
          user: {
            id: u.id,
            team_id: this.teamId,
            name: u.name,
            deleted: false,
            real_name: u.name,
            tz: 'Europe/London',
            is_admin: u.isAdmin || u.isOwner,
            is_owner: u.isOwner,
            is_primary_owner: u.isOwner,
            is_restricted: false,
            is_ultra_restricted: false,
            is_bot: u.isBot,
            is_app_user: false,
            updated: 1_700_000_000,
            profile: { real_name: u.name, display_name: u.name, team: this.teamId },
          },
        };
      }
      case 'reactions.add': {
        const { message } = this.message(args, 'timestamp');
        const name = need(args, 'name', 'invalid_name');
        const reactions = (message.reactions ??= []) as { name: string; users: string[]; count: number }[];
        const reaction = reactions.find((r) => r.name === name);
        if (reaction?.users.includes(this.botUserId)) throw new ApiError('already_reacted');
        if (reaction) reaction.users.push(this.botUserId);
        else reactions.push({ name, users: [this.botUserId], count: 0 });
        for (const r of reactions) r.count = r.users.length;
        return {};
      }
      case 'files.info': {
        const stored = this.files.get(need(args, 'file', 'file_not_found'));
        if (!stored) throw new ApiError('file_not_found');
        return { file: stored.file, comments: [], response_metadata: { next_cursor: '' } };
      }
      case 'files.list': {
        const channel = str(args, 'channel');
        const user = str(args, 'user');
        const files = [...this.files.values()]
          .map((s) => s.file)
          .filter((f) => !channel || [f.channels, f.groups, f.ims].some((ids) => (ids as string[]).includes(channel)))
          .filter((f) => !user || f.user === user)
          .sort((a, b) => Number(b.created) - Number(a.created) || a.id.localeCompare(b.id)); // newest first
        // The documented paging is count/page with a `paging` object; cursor/limit is served too.
        if (args.cursor !== undefined || args.limit !== undefined) return this.page(files, args, 'files', 100);
        const count = Math.max(1, Number(str(args, 'count') ?? 100));
        const page = Math.max(1, Number(str(args, 'page') ?? 1));
        return {
          files: files.slice((page - 1) * count, page * count),
          paging: { count, total: files.length, page, pages: Math.ceil(files.length / count) },
        };
      }
      case 'chat.startStream': {
        // A stream is always a reply; outside a DM it goes to one recipient (docs: chat.startStream).
        const { id, list } = this.channel(args);
        const threadTs = need(args, 'thread_ts', 'invalid_arguments');
        if (!list.some((m) => m.ts === threadTs)) throw new ApiError('message_not_found');
        if (!this.channels.get(id)?.isIm && (!str(args, 'recipient_user_id') || !str(args, 'recipient_team_id')))
          throw new ApiError('invalid_arguments');
        const message = this.botMessage({ text: streamText(args), thread_ts: threadTs, streaming_state: 'in_progress' });
        list.push(message);
        this.clearStatus(id, threadTs);
        return { channel: id, ts: message.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const { id, message } = this.message(args);
        if (message.streaming_state !== 'in_progress') throw new ApiError('message_not_in_streaming_state');
        if (method === 'chat.appendStream' && !str(args, 'markdown_text') && !Array.isArray(args.chunks))
          throw new ApiError('invalid_arguments');
        message.text += streamText(args);
        if (method === 'chat.appendStream') return { channel: id, ts: message.ts };
        if (args.blocks !== undefined) message.blocks = args.blocks;
        message.streaming_state = 'completed';
        return { channel: id, ts: message.ts, message };
      }
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle': {
        if (!this.opts.assistantScope) throw new ApiError('missing_scope');
        const channel = need(args, 'channel_id', 'channel_not_found');
        if (!this.channels.has(channel)) throw new ApiError('channel_not_found');
        const key = `${channel} ${need(args, 'thread_ts', 'invalid_arguments')}`;
        const thread = this.assistantThreads.get(key) ?? { status: '' };
        if (method === 'assistant.threads.setStatus') {
          if (args.status === undefined) throw new ApiError('invalid_arguments');
          const loading =
            typeof args.loading_messages === 'string' ? (JSON.parse(args.loading_messages) as string[]) : args.loading_messages;
          if (Array.isArray(loading) && loading.length > 10) throw new ApiError('invalid_arguments');
          Object.assign(thread, { status: String(args.status), loadingMessages: loading as string[] | undefined });
        } else if (method === 'assistant.threads.setTitle') thread.title = need(args, 'title', 'invalid_arguments');
        else {
          const prompts = args.prompts as { title?: string; message?: string }[] | undefined;
          if (!Array.isArray(prompts) || prompts.length === 0 || prompts.length > 4 || prompts.some((p) => !p.title || !p.message))
            throw new ApiError('invalid_arguments');
          thread.prompts = prompts;
        }
        this.assistantThreads.set(key, thread);
        return {};
      }
      case 'views.open': {
        const trigger = need(args, 'trigger_id', 'invalid_arguments');
        const until = this.triggers.get(trigger);
        if (until === undefined) throw new ApiError('invalid_trigger_id');
        this.triggers.delete(trigger);
        if (Date.now() > until) throw new ApiError('expired_trigger_id');
        const view = this.checkedView(args.view, 'modal');
        const id = `V${String(++this.viewCount).padStart(10, '0')}`;
        const opened = {
          id,
          team_id: this.teamId,
          app_id: this.opts.appId,
          bot_id: this.botId,
          root_view_id: id,
          previous_view_id: null,
          external_id: '',
          hash: `${Date.now()}.${id}`,
          clear_on_close: false,
          notify_on_close: false,
          private_metadata: '',
          callback_id: '',
          state: { values: {} },
          ...view,
        };
        this.views.set(id, opened);
        return { view: opened };
      }
      case 'views.publish': {
        const user = need(args, 'user_id', 'invalid_arguments');
        if (!this.users.has(user)) throw new ApiError('user_not_found');
        const view = {
          id: `V${String(++this.viewCount).padStart(10, '0')}`,
          team_id: this.teamId,
          app_id: this.opts.appId,
          ...this.checkedView(args.view, 'home'),
        };
        this.homeTabs.set(user, view);
        return { view };
      }
      default:
        return this.conversationMethod(method, args);
    }
  }

  /**
   * A view as views.open/publish check it (https://docs.slack.dev/reference/views): the type, a
   * plain_text title of at most 24 characters for modals (submit and close too), at most 100 blocks,
   * a submit button when there are input blocks, private_metadata of at most 3,000 characters.
   */
  private checkedView(raw: unknown, type: 'modal' | 'home'): Record<string, unknown> {
    const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | undefined;
    if (!view || view.type !== type) throw new ApiError('invalid_arguments');
    const blocks = (view.blocks ?? []) as { type?: string }[];
    if (!Array.isArray(blocks) || blocks.length > 100) throw new ApiError('invalid_arguments');
    if (type === 'modal') {
      for (const key of ['title', 'submit', 'close']) {
        const text = view[key] as { type?: string; text?: string } | undefined;
        if ((key === 'title' || text) && (text?.type !== 'plain_text' || !text.text || text.text.length > 24))
          throw new ApiError('invalid_arguments');
      }
      if (blocks.some((b) => b.type === 'input') && !view.submit) throw new ApiError('invalid_arguments');
    }
    if (String(view.private_metadata ?? '').length > 3000) throw new ApiError('invalid_arguments');
    return view;
  }

  // ------------------------------------------------------------------- conversations (history, events)
  // conversations.history and the message events a channel's conversation produces; kept in one
  // section (another branch adds general rate limits to this double).

  /** Sliding-window limits on hot methods: more than `calls` in `perMs` answers 429 + Retry-After, like Slack's tiers. */
  private readonly hotLimits = new Map<string, { calls: number; perMs: number; stamps: number[] }>();
  /** Channels citebot is not a member of: history and replies answer not_in_channel there. */
  private readonly outsiders = new Set<string>();

  /**
   * Rate-limit a method as Slack's tiers do (Tier 3, conversations.history/replies: about 50 a minute):
   * a call beyond `calls` within `perMs` gets HTTP 429 with Retry-After (whole seconds, at least 1).
   */
  limitRate(method: string, limit: { calls: number; perMs: number }): void {
    this.hotLimits.set(method, { ...limit, stamps: [] });
  }

  /** citebot is not (or no longer) in this channel. */
  removeBotFrom(channel: string): void {
    this.outsiders.add(channel);
  }

  /** Seeds any message as Slack stores it: a bot's (bot_id), a join (subtype channel_join), a broadcast reply… */
  addRawMessage(channel: string, m: Record<string, unknown> & { text: string; ts?: string }): SlackMessage {
    const list = this.channelMessages(channel);
    const ts = m.ts ?? this.nextTs();
    this.seen(ts);
    const message = { type: 'message', user: '', team: this.teamId, ...m, ts } as SlackMessage;
    list.push(message);
    list.sort(byTs);
    return message;
  }

  /** Seeds many people's messages at once (one sort, not one per message): `threadTs` makes a reply; parents come first. */
  seedMessages(channel: string, messages: { user: string; text: string; ts: string; threadTs?: string }[]): void {
    const list = this.channelMessages(channel);
    for (const m of messages) {
      this.seen(m.ts);
      list.push({
        type: 'message',
        ts: m.ts,
        user: m.user,
        text: m.text,
        team: this.teamId,
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      });
    }
    list.sort(byTs);
  }

  /** A person posts a message now: stored, and returned as the `message` event Slack delivers. */
  postUserMessage(channel: string, m: { user: string; text: string; threadTs?: string }): Record<string, unknown> {
    const message = m.threadTs
      ? this.addThreadMessage(channel, m.threadTs, { user: m.user, text: m.text })
      : this.addThreadMessage(channel, this.nextTs(), { user: m.user, text: m.text });
    return { ...message, channel, event_ts: message.ts, channel_type: this.channelType(channel) };
  }

  /** A person edits their message: stored, and returned as the message_changed event. */
  editUserMessage(channel: string, ts: string, text: string): Record<string, unknown> {
    const message = this.channelMessages(channel).find((m) => m.ts === ts);
    if (!message) throw new Error(`SlackDouble: no message ${ts} in ${channel}`);
    const previous = { ...message };
    const eventTs = this.nextTs();
    message.text = text;
    message.edited = { user: message.user, ts: eventTs };
    return {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel,
      ts: eventTs,
      event_ts: eventTs,
      channel_type: this.channelType(channel),
      message: { ...message },
      previous_message: previous,
    };
  }

  /**
   * A person deletes their message: the message_deleted event. A thread's parent with replies stays
   * as a tombstone (subtype "tombstone", "This message was deleted."), announced as message_changed.
   */
  deleteUserMessage(channel: string, ts: string): Record<string, unknown> {
    const list = this.channelMessages(channel);
    const message = list.find((m) => m.ts === ts);
    if (!message) throw new Error(`SlackDouble: no message ${ts} in ${channel}`);
    const previous = { ...message };
    const eventTs = this.nextTs();
    const base = { type: 'message', hidden: true, channel, ts: eventTs, event_ts: eventTs, channel_type: this.channelType(channel) };
    if (list.some((m) => m.thread_ts === ts && m.ts !== ts)) {
      Object.assign(message, { subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT', thread_ts: ts });
      return { ...base, subtype: 'message_changed', message: { ...message }, previous_message: previous };
    }
    list.splice(list.indexOf(message), 1);
    return { ...base, subtype: 'message_deleted', deleted_ts: ts, previous_message: previous };
  }

  private channelType(channel: string): string {
    const c = this.channels.get(channel);
    return c?.isIm ? 'im' : c?.isPrivate ? 'group' : 'channel';
  }

  private conversationRateLimit(method: string): number | undefined {
    const limit = this.hotLimits.get(method);
    if (!limit) return undefined;
    const now = Date.now();
    limit.stamps = limit.stamps.filter((t) => now - t < limit.perMs);
    if (limit.stamps.length < limit.calls) {
      limit.stamps.push(now);
      return undefined;
    }
    return Math.max(1, Math.ceil((limit.perMs - (now - limit.stamps[0]!)) / 1000));
  }

  private conversationMethod(method: string, args: Record<string, unknown>): Record<string, unknown> {
    if (method !== 'conversations.history') throw new ApiError('unknown_method');
    const { id, list } = this.channel(args);
    if (this.outsiders.has(id)) throw new ApiError('not_in_channel');
    const inclusive = str(args, 'inclusive') === 'true' || str(args, 'inclusive') === '1';
    const oldest = str(args, 'oldest');
    const latest = str(args, 'latest');
    const after = (ts: string) => (oldest === undefined ? true : inclusive ? micros(ts) >= micros(oldest) : micros(ts) > micros(oldest));
    const before = (ts: string) => (latest === undefined ? true : inclusive ? micros(ts) <= micros(latest) : micros(ts) < micros(latest));
    // The channel's own timeline: top-level messages and replies also sent to the channel, newest first.
    const repliesOf = new Map<string, SlackMessage[]>();
    for (const r of list) if (r.thread_ts && r.thread_ts !== r.ts) repliesOf.set(r.thread_ts, [...(repliesOf.get(r.thread_ts) ?? []), r]);
    const top = list
      .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
      .filter((m) => after(m.ts) && before(m.ts))
      .reverse()
      .map((m) => {
        const replies = repliesOf.get(m.ts) ?? [];
        if (!replies.length) return m;
        return {
          ...m,
          thread_ts: m.ts,
          reply_count: replies.length,
          reply_users: [...new Set(replies.map((r) => r.user))],
          reply_users_count: new Set(replies.map((r) => r.user)).size,
          latest_reply: replies.at(-1)!.ts,
        };
      });
    const limit = Math.min(999, Math.max(1, Number(str(args, 'limit') ?? 100)));
    return { ...this.page(top, { ...args, limit }, 'messages', 100), pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 };
  }

  /** Cursor paging as Slack does it: `limit`, `cursor`, and response_metadata.next_cursor ('' at the end). */
  private page<T>(items: T[], args: Record<string, unknown>, key: string, defaultLimit: number): Record<string, unknown> {
    const offset = decodeCursor(str(args, 'cursor'));
    const limit = Math.max(1, Number(str(args, 'limit') ?? defaultLimit));
    const hasMore = offset + limit < items.length;
    return {
      [key]: items.slice(offset, offset + limit),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? encodeCursor(offset + limit) : '' },
    };
  }
}

/** The markdown a stream call adds; more than 12,000 characters in one call is refused, as Slack does. */
function streamText(args: Record<string, unknown>): string {
  const markdown = str(args, 'markdown_text') ?? '';
  if (markdown.length > 12_000) throw new ApiError('msg_too_long');
  const chunks = Array.isArray(args.chunks) ? (args.chunks as { type?: string; text?: string }[]) : [];
  return (
    markdown +
    chunks
      .filter((c) => c.type === 'markdown_text')
      .map((c) => c.text ?? '')
      .join('')
  );
}
