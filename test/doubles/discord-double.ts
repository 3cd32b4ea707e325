/**
 * An honest test double for Discord: one loopback HTTP server that speaks the v10 REST API, the gateway
 * (WebSocket, see discord-gateway.ts) and the attachment CDN, so tests run the real discord.js `Client`
 * against it:
 *
 *   const discord = await DiscordDouble.start();
 *   discord.addGuild({ id: GUILD, name: 'Docs', channels: [{ id: CHANNEL, name: 'general' }] });
 *   const client = new Client({ intents, partials: [Partials.Channel], rest: { api: discord.apiUrl } });
 *   await client.login(discord.token);
 *   discord.sendMessage({ channelId: CHANNEL, author: { id: USER, username: 'ann' }, content: 'hi', mentionsBot: true });
 *   await discord.waitForRequest('POST', /^\/channels\/\d+\/messages$/);
 *   client.destroy(); await discord.close();
 *
 * Wire behaviour follows the Discord developer docs and discord-api-types: the routes, JSON shapes, error
 * bodies ({ message, code, errors? } with Discord's JSON error codes), 429s with X-RateLimit-* headers,
 * signed attachment URLs (?ex=&is=&hm=) that expire, interaction tokens, the 3 s deadline for the first
 * interaction response (types 4/5, and 6/7/9 for components: 7 edits the component's message, 9 opens a dialog,
 * refused for a dialog's submission), components and dialogs as Discord validates them, command localizations
 * (Discord locales only), intents (which events a session gets, MESSAGE_CONTENT masking, 4014 for privileged
 * intents the app does not have), channel permissions of the bot (403 50001/50013, empty history without
 * READ_MESSAGE_HISTORY). The bot's own messages come back as MESSAGE_CREATE, as on Discord.
 *
 * Rate limits: on by default (discord-rate-limits.ts), with headers on every response. Not modelled: sharding (always 1 shard), gateway compression, presences, voice,
 * audit logs, embeds' link unfurling.
 *
 * At a glance:
 *   state     addGuild({ id, name, channels, members?, botPermissions? }), addDmChannel({ id, recipient })
 *   traffic   sendMessage({ channelId, author, content, mentionsBot?, attachments?, referenceMessageId? }),
 *             seedHistory(channelId, count, factory?), sendInteraction({ name, options?, channelId, user }),
 *             sendMessageCommand({ name, channelId, targetMessageId, user }) (a message context-menu entry),
 *             sendComponent({ channelId, messageId, customId, values?, user }) (a button click or a select choice),
 *             submitModal({ openedBy, fields }) (the dialog a type 9 response opened),
 *             createForumPost({ forumId, title, author, content }) (a thread in a forum channel, type 15)
 *   records   requests / requestsTo(method, /path/) / waitForRequest / waitFor(predicate), downloads,
 *             identifies, gatewayLog, interactionCallback(id), interactionMessages(id), messages(channelId),
 *             commands(guildId?), channel(id), openModal(interactionId)
 *   faults    rateLimitNext(/path/, ms), failNext(/path/, status), expireAttachments(), setAttachmentTtl(ms),
 *             setInteractionDeadline(ms), dropGateway(code), start({ rejectIntents: true })
 * Paths in records and fault patterns are the API routes without "/api/v10", e.g. "/channels/123/messages".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationFlags,
  ChannelType,
  ComponentType,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionResponseType,
  InteractionType,
  Locale,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import type {
  APIAllowedMentions,
  APIAttachment,
  APIGuild,
  APIGuildMember,
  APIMessage,
  APIRole,
  APIUser,
  GatewayIdentifyData,
  GatewayReadyDispatchData,
  GuildSystemChannelFlags,
  RoleFlags,
  UserFlags,
} from 'discord-api-types/v10';
import { GatewayServer, type GatewaySession, type IdentifyAnswer } from './discord-gateway.js';
import { DiscordRateLimiter, type DiscordRateLimitOptions } from './discord-rate-limits.js';

export { CLOSE_REASONS } from './discord-gateway.js';

// ---------------------------------------------------------------------------------------- public types

export interface DiscordDoubleOptions {
  /** Discord's REST rate limits (per-route buckets and the global limit, see discord-rate-limits.ts), on by default; false turns them off. */
  rateLimits?: DiscordRateLimitOptions | false;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bot user's id (a snowflake). */
  botId?: string;
  botUsername?: string;
  /** Defaults to botId, as for every application created since 2020. */
  applicationId?: string;
  /** The bot token the double accepts (REST `Authorization: Bot <token>`, IDENTIFY `token`). */
  token?: string;
  /**
   * The app has none of the privileged intents enabled in the developer portal: an IDENTIFY asking for
   * GuildMembers, GuildPresences or MessageContent is closed with 4014 "Disallowed intent(s).".
   */
  rejectIntents?: boolean;
  /** Finer control over which privileged intents are enabled (default: all three; rejectIntents wins). */
  privilegedIntents?: { guildMembers?: boolean; guildPresences?: boolean; messageContent?: boolean };
  /** heartbeat_interval in HELLO (Discord: 41250). */
  heartbeatIntervalMs?: number;
  /** Lifetime of a signed attachment URL (Discord: about 24 h). */
  attachmentTtlMs?: number;
  /** Deadline for the first response to an interaction (Discord: 3 s); later callbacks get 10062. */
  interactionDeadlineMs?: number;
}

export interface ChannelSpec {
  id: string;
  name: string;
  /** ChannelType: 0 text (default), 2 voice, 4 category, 5 announcement, 11 public thread, 12 private thread, 15 forum. */
  type?: number;
  /** Category of a channel, or the parent channel of a thread (required for threads). */
  parentId?: string;
  topic?: string;
  /** Overwrites; `id` is a role id (type 0; the guild id is @everyone) or a user id (type 1, e.g. the bot's). */
  permissionOverwrites?: { id: string; type: 0 | 1; allow?: bigint | string; deny?: bigint | string }[];
}

export interface MemberSpec {
  id: string;
  username: string;
  bot?: boolean;
  /** Permissions granted through a role of their own (on top of @everyone). */
  permissions?: bigint | string;
}

export interface GuildSpec {
  id: string;
  name: string;
  channels: ChannelSpec[];
  members?: MemberSpec[];
  /** Owner (has every permission). Default: a user of its own, not among `members`. */
  ownerId?: string;
  /** The bot's managed role. Default DEFAULT_BOT_PERMISSIONS. */
  botPermissions?: bigint | string;
  /** The @everyone role. Default DEFAULT_EVERYONE_PERMISSIONS. */
  everyonePermissions?: bigint | string;
}

export interface UserSpec {
  id: string;
  username: string;
  bot?: boolean;
}

export interface AttachmentSpec {
  id?: string;
  filename: string;
  bytes: Buffer | Uint8Array | string;
  contentType?: string;
  description?: string;
}

export interface SendMessageInput {
  channelId: string;
  /** Checked against the channel's guild if given. */
  guildId?: string;
  author: UserSpec;
  content: string;
  /** Put `<@bot>` in the content (prepended unless it is already there), so Discord lists the bot in `mentions`. */
  mentionsBot?: boolean;
  attachments?: AttachmentSpec[];
  /** Makes it a reply (type 19) to that message of the same channel. */
  referenceMessageId?: string;
  /** A reply pings the replied-to author unless this is false (the Discord client's "@ ON" toggle). */
  replyPing?: boolean;
}

export interface HistoryOptions {
  /** Time between seeded messages (default 60 s). */
  spacingMs?: number;
  /** Timestamp of the newest seeded message (default: one second ago). */
  endAt?: number | Date;
}

export interface InteractionInput {
  name: string;
  options?: Record<string, string | number | boolean>;
  channelId: string;
  guildId?: string;
  user: UserSpec;
  /** The member's permissions in the channel, as Discord computes them (default: from the guild's roles). */
  memberPermissions?: bigint | string;
  locale?: string;
}

/** A click on a button, or a choice in a select, of a message citebot posted (ephemeral ones included). */
export interface ComponentInput {
  channelId: string;
  messageId: string;
  customId: string;
  user: UserSpec;
  /** The chosen options' values, for a select. */
  values?: string[];
  locale?: string;
}

/** Filling in the dialog an interaction answered with (type 9): text inputs by custom_id. */
export interface ModalInput {
  /** The interaction whose response was the dialog. */
  openedBy: string;
  fields: Record<string, string>;
  /** The user who fills it (default: whoever triggered `openedBy`). */
  user?: UserSpec;
}

/** A message context-menu command (type 3) on a message. */
export interface MessageCommandInput {
  name: string;
  channelId: string;
  targetMessageId: string;
  user: UserSpec;
  memberPermissions?: bigint | string;
  locale?: string;
}

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface DiscordRequest {
  method: string;
  /** The route without the `/api/v10` prefix, e.g. "/channels/1234/messages". */
  path: string;
  query: Record<string, string>;
  /** The JSON body; for multipart bodies the parsed payload_json (plus any plain form fields). */
  body: unknown;
  files?: RecordedFile[];
  authorization?: string;
  /** The status sent, once the response has finished. */
  status?: number;
  at: number;
}

export interface CdnDownload {
  path: string;
  query: Record<string, string>;
  status: number;
  at: number;
}

export interface InteractionCallbackRecord {
  /** InteractionResponseType: 4 reply, 5 deferred reply, … */
  type: number;
  data: unknown;
  /** Milliseconds between the INTERACTION_CREATE dispatch and the callback request. */
  elapsedMs: number;
  /** false if it came after the deadline (Discord answered 404 Unknown interaction). */
  accepted: boolean;
}

export interface FaultOptions {
  /** Only requests with this method (default: any). */
  method?: string;
  /** How many matching requests (default 1). */
  count?: number;
}

export interface RateLimitOptions extends FaultOptions {
  /** A global rate limit (X-RateLimit-Global, scope "global"). Default false. */
  global?: boolean;
  /** X-RateLimit-Scope: "user" (default) or "shared". */
  scope?: 'user' | 'shared';
}

export interface FailOptions extends FaultOptions {
  /** The JSON body (default: Discord's for that status). */
  body?: unknown;
}

// ------------------------------------------------------------------------------------------ constants

const DISCORD_EPOCH = 1_420_070_400_000n;
const P = PermissionFlagsBits;
const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a bot invited with citebot's usual scopes gets on its managed role. */
export const DEFAULT_BOT_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseApplicationCommands;

/** Discord's defaults for @everyone in a new server (text-relevant part). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  P.CreateInstantInvite |
  P.ChangeNickname |
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.AddReactions |
  P.UseExternalEmojis |
  P.UseExternalStickers |
  P.ReadMessageHistory |
  P.UseApplicationCommands |
  P.SendVoiceMessages |
  P.SendPolls |
  P.Connect |
  P.Speak |
  P.Stream |
  P.UseVAD |
  P.UseEmbeddedActivities |
  P.UseExternalApps;

/** What app_permissions carries in a DM with the bot. */
const DM_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseExternalEmojis |
  P.UseApplicationCommands |
  P.SendMessagesInThreads;

const PRIVILEGED = {
  guildMembers: GatewayIntentBits.GuildMembers,
  guildPresences: GatewayIntentBits.GuildPresences,
  messageContent: GatewayIntentBits.MessageContent,
} as const;
const KNOWN_INTENTS = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((all, bit) => all | bit, 0);

const THREAD_TYPES = new Set<number>([ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread]);
const TEXT_TYPES = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildVoice, ...THREAD_TYPES]);
const INTERACTION_TOKEN_TTL_MS = 15 * 60_000;
const MAX_CONTENT = 2000;

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

// ------------------------------------------------------------------------------------------- helpers

/** A REST error the way Discord words it: HTTP status plus `{ message, code, errors? }`. */
class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  get body(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors === undefined ? {} : { errors: this.errors }) };
  }
}

const E = {
  unauthorized: () => new DiscordApiError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordApiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordApiError(405, 0, '405: Method Not Allowed'),
  unknownChannel: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel'),
  unknownGuild: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownGuild, 'Unknown Guild'),
  unknownMember: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownMember, 'Unknown Member'),
  unknownMessage: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message'),
  unknownUser: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownUser, 'Unknown User'),
  unknownWebhook: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction'),
  unknownCommand: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownApplicationCommand, 'Unknown application command'),
  invalidWebhookToken: () => new DiscordApiError(401, RESTJSONErrorCodes.InvalidWebhookToken, 'Invalid Webhook Token'),
  missingAccess: () => new DiscordApiError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access'),
  missingPermissions: () => new DiscordApiError(403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions'),
  emptyMessage: () => new DiscordApiError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message'),
  editOthers: () =>
    new DiscordApiError(403, RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser, 'Cannot edit a message authored by another user'),
  alreadyAcknowledged: () =>
    new DiscordApiError(400, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, 'Interaction has already been acknowledged.'),
  threadExists: () =>
    new DiscordApiError(400, RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage, 'A thread has already been created for this message'),
  /** 50035 with Discord's nested `errors` object: { field: { _errors: [{ code, message }] } }. */
  invalidForm: (path: (string | number)[], code: string, message: string) => {
    let errors: Record<string, unknown> = { _errors: [{ code, message }] };
    for (const key of [...path].reverse()) errors = { [String(key)]: errors };
    return new DiscordApiError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body', errors);
  },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const toBigInt = (v: bigint | string | number | undefined, fallback: bigint): bigint => (v === undefined ? fallback : BigInt(v));
const hexSeconds = (ms: number) =>
  Math.floor(ms / 1000)
    .toString(16)
    .padStart(8, '0');
const copy = <T>(v: T): T => structuredClone(v);

/** Snowflakes as Discord makes them: ms since 2015 << 22 | worker | process | increment, monotonic. */
class SnowflakeClock {
  private lastMs = 0n;
  private increment = 0n;
  private seedBatches = 0n;

  next(): string {
    let ms = BigInt(Date.now());
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.increment += 1n;
      if (this.increment > 4095n) {
        ms += 1n;
        this.increment = 0n;
      }
    } else {
      this.increment = 0n;
    }
    this.lastMs = ms;
    return (((ms - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.increment).toString();
  }

  /** Ids for backdated messages: distinct worker ids per batch so two batches never collide. */
  backdated(ms: number, index: number): string {
    const worker = 2n + (this.seedBatches % 30n);
    return (((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n) | (worker << 17n) | BigInt(index & 4095)).toString();
  }

  newSeedBatch(): void {
    this.seedBatches += 1n;
  }
}

export function timestampOfSnowflake(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function apiUser(spec: UserSpec): APIUser {
  return {
    id: spec.id,
    username: spec.username,
    discriminator: '0',
    global_name: spec.bot ? null : spec.username,
    avatar: null,
    ...(spec.bot ? { bot: true } : {}),
    public_flags: 0 as UserFlags,
  };
}

/** A component of a message by custom_id, in action rows (and, for Components V2, containers and sections). */
function findComponent(components: unknown[], customId: string): Record<string, unknown> | undefined {
  for (const c of components) {
    if (!isRecord(c)) continue;
    if (c['custom_id'] === customId) return c;
    const nested = [...(Array.isArray(c['components']) ? c['components'] : []), ...(isRecord(c['accessory']) ? [c['accessory']] : [])];
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}

function guessContentType(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Discord stores uploads under a sanitised name: spaces become underscores. */
function sanitizeFilename(name: string): string {
  return name.replace(/\s+/g, '_').replace(/[\\/:*?"<>|]/g, '') || 'unknown';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

// -------------------------------------------------------------------------------------------- state

type RoleState = APIRole;

interface MemberState {
  user: APIUser;
  roles: string[];
  joinedAt: string;
}

interface ChannelState {
  id: string;
  type: number;
  name: string | null;
  guildId: string | null;
  parentId: string | null;
  topic: string | null;
  overwrites: { id: string; type: 0 | 1; allow: string; deny: string }[];
  position: number;
  lastMessageId: string | null;
  /** DM channels: the other user. */
  recipient?: APIUser;
  /** Threads. */
  ownerId?: string;
  createdAt?: string;
  memberCount?: number;
  messageCount?: number;
}

interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  joinedAt: string;
  roles: Map<string, RoleState>;
  members: Map<string, MemberState>;
  channelIds: string[];
}

interface AttachmentState {
  id: string;
  channelId: string;
  messageId: string;
  filename: string;
  bytes: Buffer;
  contentType: string;
  description?: string;
}

interface StoredMessage {
  message: APIMessage;
  guildId: string | null;
  ephemeral: boolean;
  /** Interaction responses and follow-ups: editable through the interaction webhook. */
  interactionId?: string;
}

interface InteractionState {
  id: string;
  token: string;
  /** InteractionType: 2 a command, 3 a component (button, select), 5 a modal's submission. */
  type: InteractionType;
  /** ApplicationCommandType of a command (1 slash, 3 message context menu). */
  commandType?: ApplicationCommandType;
  /** A command's name, or a component's or modal's custom_id. */
  name: string;
  /** The message a component was on (or the modal's opener was on): what type 6/7 responses update. */
  messageId?: string;
  /** The dialog this interaction answered with (type 9), until it is submitted. */
  modal?: Record<string, unknown>;
  channelId: string;
  guildId: string | null;
  user: APIUser;
  dispatchedAt: number;
  dispatchedWall: number;
  callback?: InteractionCallbackRecord;
  originalMessageId?: string;
  followupIds: string[];
}

interface Fault {
  route: RegExp;
  method?: string;
  remaining: number;
  kind: 'rate-limit' | 'fail';
  retryAfterMs?: number;
  global?: boolean;
  scope?: string;
  status?: number;
  body?: unknown;
}

interface RouteCtx {
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  files: RecordedFile[];
}

interface Reply {
  status: number;
  body?: unknown;
}

interface RouteDef {
  method: string;
  pattern: RegExp;
  /** Bot routes need `Authorization: Bot <token>`; interaction/webhook-token routes need none. */
  auth: boolean;
  handle: (ctx: RouteCtx) => Reply | Promise<Reply>;
}

// ---------------------------------------------------------------------------------------------- double

export class DiscordDouble {
  readonly botId: string;
  readonly applicationId: string;
  readonly token: string;
  readonly botUser: APIUser;

  /** Every REST request (not CDN downloads), in order, including refused and unknown ones. */
  readonly requests: DiscordRequest[] = [];
  /** Every CDN download attempt. */
  readonly downloads: CdnDownload[] = [];
  /** Every IDENTIFY received (accepted or not). */
  readonly identifies: GatewayIdentifyData[] = [];

  private readonly server: Server;
  private readonly gateway: GatewayServer;
  private readonly changes = new EventEmitter();
  private readonly clock = new SnowflakeClock();
  private readonly signingKey = randomBytes(32);
  private signCounter = 0;
  private boundPort = 0;
  private closed = false;

  private readonly enabledPrivileged: number;
  private attachmentTtlMs: number;
  private interactionDeadlineMs: number;

  private readonly users = new Map<string, APIUser>();
  private readonly guilds = new Map<string, GuildState>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly channelMessages = new Map<string, StoredMessage[]>();
  private readonly messageIndex = new Map<string, StoredMessage>();
  private readonly attachments = new Map<string, AttachmentState>();
  /** Signature (hm) → the attachment it opens and until when. */
  private readonly signatures = new Map<string, { attachmentId: string; expiresAt: number }>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly globalCommands: Record<string, unknown>[] = [];
  private readonly guildCommands = new Map<string, Record<string, unknown>[]>();
  private readonly faults: Fault[] = [];
  private readonly limiter?: DiscordRateLimiter;
  private readonly routes: RouteDef[];

  private constructor(private readonly options: DiscordDoubleOptions) {
    this.botId = options.botId ?? '1190000000000000001';
    if (options.rateLimits !== false) this.limiter = new DiscordRateLimiter(options.rateLimits || {});
    this.applicationId = options.applicationId ?? this.botId;
    this.token = options.token ?? `${Buffer.from(this.botId).toString('base64url')}.GdBL3k.double-token-not-a-secret-000000000`;
    this.botUser = apiUser({ id: this.botId, username: options.botUsername ?? 'citebot', bot: true });
    this.users.set(this.botId, this.botUser);

    const wanted = options.privilegedIntents ?? {};
    this.enabledPrivileged = options.rejectIntents
      ? 0
      : (Object.keys(PRIVILEGED) as (keyof typeof PRIVILEGED)[])
          .filter((k) => wanted[k] ?? true)
          .reduce((bits, k) => bits | PRIVILEGED[k], 0);
    this.attachmentTtlMs = options.attachmentTtlMs ?? 24 * 3_600_000;
    this.interactionDeadlineMs = options.interactionDeadlineMs ?? 3000;
    this.changes.setMaxListeners(0);

    this.gateway = new GatewayServer(
      {
        identify: (identify) => this.onIdentify(identify),
        ready: (session) => this.onReady(session),
        tokenIsValid: (token) => token.replace(/^Bot\s+/i, '') === this.token,
        changed: () => this.changed(),
      },
      { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250, path: '/gateway' },
    );
    this.routes = this.buildRoutes();
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if (!this.gateway.handleUpgrade(req, socket, head)) socket.destroy();
    });
  }

  static async start(options: DiscordDoubleOptions = {}): Promise<DiscordDouble> {
    const double = new DiscordDouble(options);
    await new Promise<void>((done, fail) => {
      double.server.once('error', fail);
      double.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        double.server.off('error', fail);
        double.boundPort = (double.server.address() as AddressInfo).port;
        done();
      });
    });
    return double;
  }

  /** http://127.0.0.1:PORT */
  get baseUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  /** What discord.js takes as `rest.api` (it appends `/v10/...`). */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }

  /** What GET /gateway/bot hands out; clients append `?v=10&encoding=json`. */
  get gatewayUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/gateway`;
  }

  /** The attachment CDN (Discord's cdn.discordapp.com); its media proxy is `${baseUrl}/media`. */
  get cdnUrl(): string {
    return this.baseUrl;
  }

  /** Payloads clients sent over the gateway, close codes the double sent, heartbeat ACKs. */
  get gatewayLog(): Pick<GatewayServer, 'received' | 'closes' | 'heartbeatAcks' | 'connections'> {
    return this.gateway;
  }

  /** Identified, still-open gateway sessions. */
  get sessions(): { id: string; intents: number; seq: number; connected: boolean }[] {
    return this.gateway.liveSessions.map((s) => ({ id: s.id, intents: s.intents, seq: s.seq, connected: s.socket !== null }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gateway.shutdown();
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
    this.changes.removeAllListeners();
  }

  /** Forget recorded requests, downloads and IDENTIFYs (state and faults stay). */
  clearRecords(): void {
    this.requests.length = 0;
    this.downloads.length = 0;
    this.identifies.length = 0;
  }

  // ------------------------------------------------------------------------------------ state setup

  /** Adds a guild the bot is in. Sent as GUILD_CREATE after READY, or at once to connected sessions. */
  addGuild(spec: GuildSpec): void {
    if (this.guilds.has(spec.id)) throw new Error(`guild ${spec.id} already exists`);
    const joinedAt = new Date().toISOString();
    const ownerId = spec.ownerId ?? this.clock.next();
    const guild: GuildState = { id: spec.id, name: spec.name, ownerId, joinedAt, roles: new Map(), members: new Map(), channelIds: [] };
    const role = (id: string, name: string, permissions: bigint, position: number, extra: Partial<APIRole> = {}): RoleState => ({
      id,
      name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: permissions.toString(),
      managed: false,
      mentionable: false,
      flags: 0 as RoleFlags,
      ...extra,
    });
    guild.roles.set(spec.id, role(spec.id, '@everyone', toBigInt(spec.everyonePermissions, DEFAULT_EVERYONE_PERMISSIONS), 0));
    const botRoleId = this.clock.next();
    guild.roles.set(
      botRoleId,
      role(botRoleId, this.botUser.username, toBigInt(spec.botPermissions, DEFAULT_BOT_PERMISSIONS), 1, {
        managed: true,
        tags: { bot_id: this.botId },
      }),
    );
    guild.members.set(this.botId, { user: this.botUser, roles: [botRoleId], joinedAt });
    if (!this.users.has(ownerId)) this.users.set(ownerId, apiUser({ id: ownerId, username: 'guild-owner' }));
    if (!spec.members?.some((m) => m.id === ownerId)) guild.members.set(ownerId, { user: this.users.get(ownerId)!, roles: [], joinedAt });
    for (const m of spec.members ?? []) {
      const user = this.rememberUser(m);
      const roles: string[] = [];
      if (m.permissions !== undefined) {
        const roleId = this.clock.next();
        guild.roles.set(roleId, role(roleId, `${m.username}'s role`, toBigInt(m.permissions, 0n), guild.roles.size));
        roles.push(roleId);
      }
      guild.members.set(m.id, { user, roles, joinedAt });
    }
    this.guilds.set(guild.id, guild);
    spec.channels.forEach((c, position) => this.addChannel(guild, c, position));
    this.gateway.dispatch(GatewayDispatchEvents.GuildCreate, (s) =>
      s.intents & GatewayIntentBits.Guilds ? this.guildCreatePayload(guild) : null,
    );
  }

  /** A DM channel between the bot and `recipient`. */
  addDmChannel(spec: { id: string; recipient: UserSpec }): void {
    const recipient = this.rememberUser(spec.recipient);
    this.channels.set(spec.id, this.dmChannelState(spec.id, recipient));
    this.channelMessages.set(spec.id, []);
  }

  private dmChannelState(id: string, recipient: APIUser): ChannelState {
    return {
      id,
      type: ChannelType.DM,
      name: null,
      guildId: null,
      parentId: null,
      topic: null,
      overwrites: [],
      position: 0,
      lastMessageId: null,
      recipient,
    };
  }

  private addChannel(guild: GuildState, c: ChannelSpec, position: number): ChannelState {
    const type = c.type ?? ChannelType.GuildText;
    if (type === ChannelType.DM || type === ChannelType.GroupDM) throw new Error('DM channels are not guild channels: use addDmChannel');
    if (THREAD_TYPES.has(type) && !c.parentId) throw new Error(`thread ${c.id} needs a parentId`);
    const channel: ChannelState = {
      id: c.id,
      type,
      name: c.name,
      guildId: guild.id,
      parentId: c.parentId ?? null,
      topic: c.topic ?? null,
      overwrites: (c.permissionOverwrites ?? []).map((o) => ({
        id: o.id,
        type: o.type,
        allow: String(o.allow ?? 0),
        deny: String(o.deny ?? 0),
      })),
      position,
      lastMessageId: null,
      ...(THREAD_TYPES.has(type) ? { ownerId: guild.ownerId, createdAt: new Date().toISOString(), memberCount: 1, messageCount: 0 } : {}),
    };
    this.channels.set(c.id, channel);
    this.channelMessages.set(c.id, []);
    guild.channelIds.push(c.id);
    return channel;
  }

  private rememberUser(spec: UserSpec): APIUser {
    const existing = this.users.get(spec.id);
    if (existing && existing.username === spec.username) return existing;
    const user = apiUser(spec);
    this.users.set(spec.id, user);
    return user;
  }

  // ----------------------------------------------------------------------------- simulated traffic

  /** A user posts a message: stored, dispatched as MESSAGE_CREATE (intents permitting), returned. */
  sendMessage(input: SendMessageInput): APIMessage {
    const stored = this.storeUserMessage(input, this.clock.next());
    const rendered = this.render(stored);
    this.dispatchMessage(GatewayDispatchEvents.MessageCreate, stored, rendered);
    return rendered;
  }

  /**
   * Stores `count` older messages without dispatching anything (history for paging tests). They are
   * backdated, `spacingMs` apart, ending at `endAt`; their ids sort before anything sent later.
   */
  seedHistory(
    channelId: string,
    count: number,
    factory?: (index: number) => Partial<Omit<SendMessageInput, 'channelId'>>,
    options: HistoryOptions = {},
  ): APIMessage[] {
    const spacing = Math.max(1, options.spacingMs ?? 60_000); // distinct milliseconds keep the ids distinct
    const end = options.endAt === undefined ? Date.now() - 1000 : Number(options.endAt);
    this.clock.newSeedBatch();
    const out: APIMessage[] = [];
    for (let i = 0; i < count; i++) {
      const extra = factory?.(i) ?? {};
      const input: SendMessageInput = {
        author: { id: '1190000000000000999', username: 'history-user' },
        content: `history message ${i + 1}`,
        ...extra,
        channelId,
      };
      const id = this.clock.backdated(end - (count - 1 - i) * spacing, i);
      out.push(copy(this.storeUserMessage(input, id).message));
    }
    return out;
  }

  // ------------------------------------------------------------- conversations (edits, deletions, threads)
  // What a channel's conversation does after it is indexed; kept in one section (another branch adds
  // general rate limits to this double).

  /** A user edits their message: stored with edited_timestamp, MESSAGE_UPDATE dispatched (as Discord does). */
  editUserMessage(channelId: string, messageId: string, content: string): APIMessage {
    const stored = this.messageIndex.get(messageId);
    if (!stored || stored.message.channel_id !== channelId) throw new Error(`unknown message ${messageId} in channel ${channelId}`);
    return this.editMessage(stored, { content }, []);
  }

  /** A user (or a moderator) deletes a message: MESSAGE_DELETE carries only its id, channel and guild. */
  deleteUserMessage(channelId: string, messageId: string): void {
    const stored = this.messageIndex.get(messageId);
    if (!stored || stored.message.channel_id !== channelId) throw new Error(`unknown message ${messageId} in channel ${channelId}`);
    this.deleteMessage(stored);
  }

  /**
   * A user opens a post in a forum channel (type 15, where every conversation is a thread): the post is
   * a public thread owned by the user whose first message has the thread's id and is in the thread
   * itself. THREAD_CREATE, then MESSAGE_CREATE, as Discord sends them. Returns the first message.
   */
  createForumPost(input: { forumId: string; title: string } & Omit<SendMessageInput, 'channelId' | 'referenceMessageId'>): APIMessage {
    const forum = this.channels.get(input.forumId);
    if (!forum || (forum.type !== ChannelType.GuildForum && forum.type !== ChannelType.GuildMedia))
      throw new Error(`${input.forumId} is not a forum channel`);
    const guild = this.guilds.get(forum.guildId!)!;
    const id = this.clock.next();
    this.rememberUser(input.author);
    const thread = this.newThread(guild, forum, { id, type: ChannelType.PublicThread, name: input.title, ownerId: input.author.id });
    const payload = { ...this.channelPayload(thread), newly_created: true };
    this.gateway.dispatch(GatewayDispatchEvents.ThreadCreate, (s) =>
      s.intents & GatewayIntentBits.Guilds && this.hasPermission(guild, thread, this.botId, P.ViewChannel) ? payload : null,
    );
    const stored = this.storeUserMessage({ ...input, channelId: id }, id);
    const rendered = this.render(stored);
    this.dispatchMessage(GatewayDispatchEvents.MessageCreate, stored, rendered);
    return rendered;
  }

  /** GET /guilds/:guild/threads/active: every active thread of the guild the bot can see, with no member objects. */
  private activeThreads(guildId: string): Reply {
    const guild = this.guildOr404(guildId);
    const threads = guild.channelIds
      .map((id) => this.channels.get(id)!)
      .filter((c) => THREAD_TYPES.has(c.type))
      .filter((c) => this.hasPermission(guild, c, this.botId, P.ViewChannel))
      .map((c) => this.channelPayload(c));
    return { status: 200, body: { threads, members: [] } };
  }

  private storeUserMessage(input: SendMessageInput, id: string): StoredMessage {
    const channel = this.channels.get(input.channelId);
    if (!channel) throw new Error(`unknown channel ${input.channelId}`);
    if (input.guildId && input.guildId !== channel.guildId) throw new Error(`channel ${channel.id} is not in guild ${input.guildId}`);
    const author = this.rememberUser(input.author);
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    if (guild && !guild.members.has(author.id))
      guild.members.set(author.id, { user: author, roles: [], joinedAt: new Date().toISOString() });

    let content = input.content;
    const botMention = new RegExp(`<@!?${this.botId}>`);
    if (input.mentionsBot && !botMention.test(content)) content = `<@${this.botId}> ${content}`;

    let reference: StoredMessage | undefined;
    if (input.referenceMessageId) {
      reference = this.messageIndex.get(input.referenceMessageId);
      if (!reference || reference.message.channel_id !== channel.id)
        throw new Error(`unknown message ${input.referenceMessageId} in channel ${channel.id}`);
    }
    const mentions = this.userMentions(content, undefined);
    if (reference && input.replyPing !== false && !mentions.some((u) => u.id === reference.message.author.id)) {
      mentions.push(reference.message.author);
    }
    const attachments = (input.attachments ?? []).map((a) =>
      this.storeAttachment(channel.id, id, { ...a, bytes: Buffer.isBuffer(a.bytes) ? a.bytes : Buffer.from(a.bytes) }),
    );
    const message: APIMessage = {
      id,
      channel_id: channel.id,
      author,
      content,
      timestamp: new Date(timestampOfSnowflake(id)).toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone:
        /@(everyone|here)\b/.test(content) && guild !== undefined && this.hasPermission(guild, channel, author.id, P.MentionEveryone),
      mentions,
      mention_roles: guild ? [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!).filter((r) => guild.roles.has(r)) : [],
      attachments,
      embeds: [],
      pinned: false,
      type: reference ? MessageType.Reply : MessageType.Default,
      flags: 0 as MessageFlags,
      components: [],
      ...(reference
        ? {
            message_reference: {
              type: 0,
              message_id: reference.message.id,
              channel_id: channel.id,
              ...(guild ? { guild_id: guild.id } : {}),
            },
          }
        : {}),
    };
    return this.insert({ message, guildId: guild?.id ?? null, ephemeral: false });
  }

  /**
   * A user runs a slash command: INTERACTION_CREATE (type 2, APPLICATION_COMMAND) goes to every session.
   * The callback's timing is recorded (interactionCallback).
   */
  sendInteraction(input: InteractionInput): { id: string; token: string } {
    const options = Object.entries(input.options ?? {}).map(([name, value]) => ({
      name,
      type:
        typeof value === 'boolean'
          ? ApplicationCommandOptionType.Boolean
          : typeof value === 'number'
            ? Number.isInteger(value)
              ? ApplicationCommandOptionType.Integer
              : ApplicationCommandOptionType.Number
            : ApplicationCommandOptionType.String,
      value,
    }));
    return this.runCommand(input, ApplicationCommandType.ChatInput, options.length ? { options } : {});
  }

  /**
   * A user picks a message context-menu command on a message: INTERACTION_CREATE (type 2) with
   * data.type 3, data.target_id and the message in data.resolved.messages, as Discord sends it.
   */
  sendMessageCommand(input: MessageCommandInput): { id: string; token: string } {
    const channel = this.channels.get(input.channelId);
    if (!channel) throw new Error(`unknown channel ${input.channelId}`);
    const target = this.messageIndex.get(input.targetMessageId);
    if (!target || target.ephemeral || target.message.channel_id !== channel.id)
      throw new Error(`unknown message ${input.targetMessageId} in channel ${channel.id}`);
    const data = { target_id: target.message.id, resolved: { messages: { [target.message.id]: this.render(target) } } };
    return this.runCommand(input, ApplicationCommandType.Message, data);
  }

  /** A command interaction: registered commands are looked up by name and type, as Discord routes them. */
  private runCommand(
    input: { name: string; channelId: string; guildId?: string; user: UserSpec; memberPermissions?: bigint | string; locale?: string },
    commandType: ApplicationCommandType,
    data: Record<string, unknown>,
  ): { id: string; token: string } {
    const channel = this.channels.get(input.channelId);
    if (!channel) throw new Error(`unknown channel ${input.channelId}`);
    if (input.guildId && input.guildId !== channel.guildId) throw new Error(`channel ${channel.id} is not in guild ${input.guildId}`);
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    const registered = [...(guild ? (this.guildCommands.get(guild.id) ?? []) : []), ...this.globalCommands].find(
      (c) => c['name'] === input.name && c['type'] === commandType,
    );
    if (commandType !== ApplicationCommandType.ChatInput && !registered)
      throw new Error(`no message command "${input.name}" is registered: the Discord client would not offer it`);
    return this.dispatchInteraction(
      { ...input, channel, guild, type: InteractionType.ApplicationCommand, commandType },
      {
        id: (registered?.['id'] as string | undefined) ?? this.clock.next(),
        name: input.name,
        type: commandType,
        ...data,
        ...(guild && registered?.['guild_id'] ? { guild_id: guild.id } : {}),
      },
    );
  }

  /**
   * A user clicks a button (or picks options in a select) on a message citebot posted:
   * INTERACTION_CREATE type 3 (MESSAGE_COMPONENT) with data.custom_id, data.component_type (2 button,
   * 3 string select) and data.values, and the message it was on. Only components that are on the
   * message, enabled, and (for selects) values among its options with min/max respected, as in the
   * Discord client.
   */
  sendComponent(input: ComponentInput): { id: string; token: string } {
    const channel = this.channels.get(input.channelId);
    if (!channel) throw new Error(`unknown channel ${input.channelId}`);
    const stored = this.messageIndex.get(input.messageId);
    if (!stored || stored.message.channel_id !== channel.id) throw new Error(`unknown message ${input.messageId} in channel ${channel.id}`);
    if (stored.message.author.id !== this.botId) throw new Error("only an application's messages carry its components");
    const component = findComponent(stored.message.components ?? [], input.customId);
    if (!component) throw new Error(`no component "${input.customId}" on message ${input.messageId}`);
    if (component['disabled'] === true) throw new Error(`component "${input.customId}" is disabled`);
    const componentType = component['type'] as number;
    const data: Record<string, unknown> = { custom_id: input.customId, component_type: componentType };
    if (componentType === ComponentType.StringSelect) {
      const values = input.values ?? [];
      const offered = new Set(((component['options'] as { value: string }[] | undefined) ?? []).map((o) => o.value));
      const min = typeof component['min_values'] === 'number' ? component['min_values'] : 1;
      const max = typeof component['max_values'] === 'number' ? component['max_values'] : 1;
      if (values.some((v) => !offered.has(v)) || values.length < min || values.length > max)
        throw new Error(`values ${JSON.stringify(values)} are not a valid choice in "${input.customId}"`);
      data['values'] = values;
    } else if (componentType !== ComponentType.Button) {
      throw new Error(`component type ${componentType} is not modelled`);
    }
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    return this.dispatchInteraction(
      { ...input, channel, guild, type: InteractionType.MessageComponent, name: input.customId, message: stored },
      data,
    );
  }

  /**
   * The user fills in and submits the dialog an interaction answered with: INTERACTION_CREATE type 5
   * (MODAL_SUBMIT) with data.custom_id and data.components (action rows of text inputs with their
   * values), and the message when the dialog was opened from a component. Required inputs must be
   * filled and lengths respected, as the Discord client enforces.
   */
  submitModal(input: ModalInput): { id: string; token: string } {
    const opener = this.interactions.get(input.openedBy);
    const modal = opener?.modal;
    if (!opener || !modal) throw new Error(`interaction ${input.openedBy} did not open a dialog`);
    const rows = (modal['components'] as { components?: Record<string, unknown>[] }[] | undefined) ?? [];
    const submitted = rows.map((row) => ({
      type: ComponentType.ActionRow,
      components: (row.components ?? []).map((c) => {
        const customId = String(c['custom_id']);
        const value = input.fields[customId] ?? '';
        const min = typeof c['min_length'] === 'number' ? c['min_length'] : 0;
        const max = typeof c['max_length'] === 'number' ? c['max_length'] : 4000;
        if ((c['required'] !== false && !value) || value.length < (value ? min : 0) || value.length > max)
          throw new Error(`text input "${customId}" needs ${min}-${max} characters`);
        return { type: ComponentType.TextInput, id: c['id'] ?? 0, custom_id: customId, value };
      }),
    }));
    delete opener.modal;
    const channel = this.channels.get(opener.channelId)!;
    const guild = opener.guildId ? this.guilds.get(opener.guildId) : undefined;
    const message = opener.messageId ? this.messageIndex.get(opener.messageId) : undefined;
    return this.dispatchInteraction(
      {
        channel,
        guild,
        user: input.user ?? opener.user,
        type: InteractionType.ModalSubmit,
        name: String(modal['custom_id']),
        ...(message ? { message } : {}),
      },
      { custom_id: modal['custom_id'], components: submitted },
    );
  }

  /** The dialog an interaction answered with (type 9), until it is submitted. */
  openModal(id: string): Record<string, unknown> | undefined {
    const modal = this.interactions.get(id)?.modal;
    return modal && copy(modal);
  }

  /** INTERACTION_CREATE to every session, with the fields every interaction type shares. */
  private dispatchInteraction(
    input: {
      channel: ChannelState;
      guild: GuildState | undefined;
      user: UserSpec;
      type: InteractionType;
      commandType?: ApplicationCommandType;
      name?: string;
      message?: StoredMessage;
      memberPermissions?: bigint | string;
      locale?: string;
    },
    data: Record<string, unknown>,
  ): { id: string; token: string } {
    const { channel, guild } = input;
    const user = this.rememberUser(input.user);
    if (guild && !guild.members.has(user.id)) guild.members.set(user.id, { user, roles: [], joinedAt: new Date().toISOString() });
    const id = this.clock.next();
    // Discord's tokens are base64 of "interaction:<id>:<secret>"; URL-safe as they stand.
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type: input.type,
      token,
      version: 1,
      data,
      ...(input.message ? { message: this.render(input.message) } : {}),
      channel: this.channelPayload(channel),
      channel_id: channel.id,
      app_permissions: (guild ? this.permissionsOf(guild, channel, this.botId) : DM_PERMISSIONS).toString(),
      locale: input.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: guild ? { '0': guild.id } : { '1': user.id },
      context: guild ? 0 : 1,
      attachment_size_limit: 10 * 1024 * 1024,
      ...(guild
        ? {
            guild_id: guild.id,
            guild: { id: guild.id, locale: 'en-US', features: [] },
            guild_locale: 'en-US',
            member: {
              ...this.memberPayload(guild.members.get(user.id)!),
              permissions: toBigInt(input.memberPermissions, this.permissionsOf(guild, channel, user.id)).toString(),
            },
          }
        : { user }),
    };
    this.interactions.set(id, {
      id,
      token,
      type: input.type,
      ...(input.commandType ? { commandType: input.commandType } : {}),
      name: input.name ?? String(data['name'] ?? data['custom_id']),
      ...(input.message ? { messageId: input.message.message.id } : {}),
      channelId: channel.id,
      guildId: guild?.id ?? null,
      user,
      dispatchedAt: performance.now(),
      dispatchedWall: Date.now(),
      followupIds: [],
    });
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, () => payload);
    this.changed();
    return { id, token };
  }

  /** The first response to an interaction, once it has arrived. */
  interactionCallback(id: string): InteractionCallbackRecord | undefined {
    return this.interactions.get(id)?.callback;
  }

  /** The interaction's original response message and follow-ups, as they stand. */
  interactionMessages(id: string): { original?: APIMessage; followups: APIMessage[] } {
    const state = this.interactions.get(id);
    if (!state) return { followups: [] };
    const get = (mid: string) => this.messageIndex.get(mid)?.message;
    const original = state.originalMessageId ? get(state.originalMessageId) : undefined;
    return {
      ...(original ? { original: copy(original) } : {}),
      followups: state.followupIds
        .map(get)
        .filter((m): m is APIMessage => m !== undefined)
        .map(copy),
    };
  }

  /** The channel's stored messages, oldest first, as they stand after edits (ephemeral ones included). */
  messages(channelId: string): APIMessage[] {
    return (this.channelMessages.get(channelId) ?? []).map((s) => copy(s.message));
  }

  /** Application commands registered globally, or for one guild. */
  commands(guildId?: string): Record<string, unknown>[] {
    return copy(guildId ? (this.guildCommands.get(guildId) ?? []) : this.globalCommands);
  }

  /** Channels known to the double (guild channels, threads the bot created, DMs). */
  channel(id: string): Record<string, unknown> | undefined {
    const c = this.channels.get(id);
    return c && this.channelPayload(c);
  }

  // ----------------------------------------------------------------------------------- misbehaviour

  /** The next `count` requests whose path matches `route` get a 429 with Discord's headers and body. */
  rateLimitNext(route: RegExp, retryAfterMs: number, options: RateLimitOptions = {}): void {
    this.faults.push({
      kind: 'rate-limit',
      route,
      retryAfterMs,
      remaining: options.count ?? 1,
      ...(options.method ? { method: options.method.toUpperCase() } : {}),
      global: options.global ?? false,
      scope: options.global ? 'global' : (options.scope ?? 'user'),
    });
  }

  /**
   * The next `count` matching requests fail with `status` and Discord's body for it. Note that
   * discord.js retries 5xx answers (3 times by default) before giving up.
   */
  failNext(route: RegExp, status: number, options: FailOptions = {}): void {
    this.faults.push({
      kind: 'fail',
      route,
      status,
      remaining: options.count ?? 1,
      ...(options.method ? { method: options.method.toUpperCase() } : {}),
      body: options.body,
    });
  }

  /** Every signed attachment URL handed out so far stops working (404) until re-fetched. */
  expireAttachments(): void {
    this.signatures.clear();
  }

  /** Lifetime of attachment URLs issued from now on. */
  setAttachmentTtl(ms: number): void {
    this.attachmentTtlMs = ms;
  }

  setInteractionDeadline(ms: number): void {
    this.interactionDeadlineMs = ms;
  }

  /** Closes every gateway socket with `code` (default 4000: clients resume; 4014 etc. are fatal). */
  dropGateway(code: number = GatewayCloseCodes.UnknownError, reason?: string): void {
    this.gateway.drop(code, reason);
  }

  // ------------------------------------------------------------------------------------------ waits

  /** Requests with this method whose path matches. */
  requestsTo(method: string, pathPattern: RegExp): DiscordRequest[] {
    const m = method.toUpperCase();
    return this.requests.filter((r) => r.method === m && pathPattern.test(r.path));
  }

  /**
   * Resolves with the first truthy value `predicate` returns; it is re-run whenever the double's state
   * changes (a request, a download, a callback, a gateway event), so there is no polling.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise((done, fail) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (err) {
          finish();
          fail(err as Error);
          return true;
        }
        if (!value) return false;
        finish();
        done(value);
        return true;
      };
      const onChange = () => void check();
      const timer = setTimeout(() => {
        finish();
        fail(new Error(`DiscordDouble.waitFor: nothing after ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.changes.off('change', onChange);
      };
      this.changes.on('change', onChange);
      check();
    });
  }

  /** The first request (recorded or future) with this method and path, once its response has been sent. */
  waitForRequest(method: string, pathPattern: RegExp, timeoutMs = 5000): Promise<DiscordRequest> {
    return this.waitFor(() => this.requestsTo(method, pathPattern).find((r) => r.status !== undefined), timeoutMs);
  }

  private changed(): void {
    this.changes.emit('change');
  }

  // ------------------------------------------------------------------------------------------ gateway

  private onIdentify(identify: GatewayIdentifyData): IdentifyAnswer {
    this.identifies.push(copy(identify));
    this.changed();
    const token = typeof identify?.token === 'string' ? identify.token.replace(/^Bot\s+/i, '') : '';
    if (token !== this.token) return { close: GatewayCloseCodes.AuthenticationFailed };
    const intents = identify.intents;
    if (!Number.isInteger(intents) || intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) return { close: GatewayCloseCodes.InvalidIntents };
    const privileged = PRIVILEGED.guildMembers | PRIVILEGED.guildPresences | PRIVILEGED.messageContent;
    if (intents & privileged & ~this.enabledPrivileged) return { close: GatewayCloseCodes.DisallowedIntents };
    const shard = identify.shard ?? [0, 1];
    if (shard[1] !== 1 || shard[0] !== 0) return { close: GatewayCloseCodes.InvalidShard }; // GET /gateway/bot says 1 shard

    const ready: GatewayReadyDispatchData & Record<string, unknown> = {
      v: 10,
      user_settings: {},
      user: { ...this.botUser, verified: true, mfa_enabled: false, email: null, flags: 0 as UserFlags },
      session_type: 'normal',
      session_id: '',
      resume_gateway_url: this.gatewayUrl,
      relationships: [],
      private_channels: [],
      presences: [],
      guilds: [...this.guilds.keys()].map((id) => ({ id, unavailable: true })),
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['us-east', 'us-central', 'us-south', 'us-west', 'atlanta'],
      auth: {},
      application: { id: this.applicationId, flags: this.applicationFlags(), flags_new: String(this.applicationFlags()) },
      shard: [0, 1],
      _trace: ['["gateway-double",{"micros":0}]'],
    };
    return { ready };
  }

  private onReady(session: GatewaySession): void {
    if (session.intents & GatewayIntentBits.Guilds) {
      for (const guild of this.guilds.values()) session.dispatch(GatewayDispatchEvents.GuildCreate, this.guildCreatePayload(guild));
    }
    this.changed();
  }

  private applicationFlags(): number {
    let flags = ApplicationFlags.ApplicationCommandBadge;
    // An unverified app in < 100 servers gets the *_LIMITED flags for the intents switched on in the portal.
    if (this.enabledPrivileged & PRIVILEGED.messageContent) flags |= ApplicationFlags.GatewayMessageContentLimited;
    if (this.enabledPrivileged & PRIVILEGED.guildMembers) flags |= ApplicationFlags.GatewayGuildMembersLimited;
    if (this.enabledPrivileged & PRIVILEGED.guildPresences) flags |= ApplicationFlags.GatewayPresenceLimited;
    return flags;
  }

  /**
   * MESSAGE_CREATE / MESSAGE_UPDATE to each session that should get it: GUILD_MESSAGES for guild channels
   * the bot can see, DIRECT_MESSAGES for DMs; without MESSAGE_CONTENT, content/embeds/attachments/components
   * are emptied except in DMs, messages mentioning the bot and the bot's own messages.
   */
  private dispatchMessage(event: GatewayDispatchEvents, stored: StoredMessage, rendered: APIMessage): void {
    if (stored.ephemeral) return;
    const channel = this.channels.get(stored.message.channel_id)!;
    const guild = stored.guildId ? this.guilds.get(stored.guildId) : undefined;
    if (guild && !this.hasPermission(guild, channel, this.botId, P.ViewChannel)) return;
    const payload: Record<string, unknown> = { ...rendered, channel_type: channel.type };
    if (guild) {
      payload['guild_id'] = guild.id;
      const member = guild.members.get(rendered.author.id);
      if (member && !rendered.webhook_id) payload['member'] = this.memberPayload(member, false);
      payload['mentions'] = rendered.mentions.map((u) => {
        const m = guild.members.get(u.id);
        return m ? { ...u, member: this.memberPayload(m, false) } : u;
      });
    }
    const exempt = !guild || rendered.author.id === this.botId || rendered.mentions.some((u) => u.id === this.botId);
    this.gateway.dispatch(event, (session) => {
      const needed = guild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
      if (!(session.intents & needed)) return null;
      if (exempt || session.intents & GatewayIntentBits.MessageContent) return payload;
      return { ...payload, content: '', embeds: [], attachments: [], components: [] };
    });
    this.changed();
  }

  // ------------------------------------------------------------------------------------- payloads

  private memberPayload(member: MemberState, withUser = true): APIGuildMember | Omit<APIGuildMember, 'user'> {
    const base = {
      roles: [...member.roles],
      joined_at: member.joinedAt,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      premium_since: null,
      nick: null,
      avatar: null,
      banner: null,
      communication_disabled_until: null,
    };
    return withUser ? { ...base, user: member.user } : base;
  }

  private channelPayload(c: ChannelState, inGuildCreate = false): Record<string, unknown> {
    if (c.type === ChannelType.DM) {
      return { id: c.id, type: c.type, last_message_id: c.lastMessageId, flags: 0, recipients: c.recipient ? [c.recipient] : [] };
    }
    const common: Record<string, unknown> = {
      id: c.id,
      type: c.type,
      ...(inGuildCreate ? {} : { guild_id: c.guildId }),
      name: c.name,
      parent_id: c.parentId,
      flags: 0,
    };
    if (THREAD_TYPES.has(c.type)) {
      return {
        ...common,
        owner_id: c.ownerId,
        last_message_id: c.lastMessageId,
        rate_limit_per_user: 0,
        message_count: c.messageCount ?? 0,
        member_count: c.memberCount ?? 1,
        total_message_sent: c.messageCount ?? 0,
        thread_metadata: {
          archived: false,
          auto_archive_duration: 1440,
          archive_timestamp: c.createdAt,
          locked: false,
          create_timestamp: c.createdAt,
          ...(c.type === ChannelType.PrivateThread ? { invitable: true } : {}),
        },
      };
    }
    return {
      ...common,
      position: c.position,
      permission_overwrites: c.overwrites,
      ...(c.type === ChannelType.GuildCategory
        ? {}
        : { topic: c.topic, nsfw: false, last_message_id: c.lastMessageId, rate_limit_per_user: 0, default_auto_archive_duration: 1440 }),
    };
  }

  private guildPayload(guild: GuildState): APIGuild {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      roles: [...guild.roles.values()].map(copy),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: guild.channelIds.find((id) => this.channels.get(id)?.type === ChannelType.GuildText) ?? null,
      system_channel_flags: 0 as GuildSystemChannelFlags,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500_000,
      vanity_url_code: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US' as APIGuild['preferred_locale'],
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  /** GUILD_CREATE: the guild plus channels, active threads and (without GUILD_MEMBERS) only the bot's own member. */
  private guildCreatePayload(guild: GuildState): Record<string, unknown> {
    const channels = guild.channelIds.map((id) => this.channels.get(id)!);
    return {
      ...this.guildPayload(guild),
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      members: [this.memberPayload(guild.members.get(this.botId)!)],
      channels: channels.filter((c) => !THREAD_TYPES.has(c.type)).map((c) => this.channelPayload(c, true)),
      threads: channels.filter((c) => THREAD_TYPES.has(c.type)).map((c) => this.channelPayload(c)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      lazy: true,
    };
  }

  /** A copy of the stored message with freshly signed attachment URLs (which are also kept on the store). */
  private render(stored: StoredMessage, depth = 0): APIMessage {
    for (const att of stored.message.attachments) Object.assign(att, this.signAttachment(att.id));
    const out = copy(stored.message);
    if (depth === 0 && stored.message.message_reference?.message_id) {
      const ref = this.messageIndex.get(stored.message.message_reference.message_id);
      out.referenced_message = ref ? this.render(ref, 1) : null;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- permissions

  private permissionsOf(guild: GuildState, channel: ChannelState | null, userId: string): bigint {
    if (userId === guild.ownerId) return ALL_PERMISSIONS;
    const member = guild.members.get(userId);
    const roles = member?.roles ?? [];
    let perms = BigInt(guild.roles.get(guild.id)?.permissions ?? '0');
    for (const r of roles) perms |= BigInt(guild.roles.get(r)?.permissions ?? '0');
    if (perms & P.Administrator) return ALL_PERMISSIONS;
    if (!channel) return perms;
    // Threads take their parent's overwrites.
    const target = THREAD_TYPES.has(channel.type) && channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    const apply = (o: { allow: string; deny: string } | undefined) => {
      if (o) perms = (perms & ~BigInt(o.deny)) | BigInt(o.allow);
    };
    apply(target.overwrites.find((o) => o.type === 0 && o.id === guild.id));
    let allow = 0n;
    let deny = 0n;
    for (const o of target.overwrites) {
      if (o.type === 0 && o.id !== guild.id && roles.includes(o.id)) {
        allow |= BigInt(o.allow);
        deny |= BigInt(o.deny);
      }
    }
    apply({ allow: allow.toString(), deny: deny.toString() });
    apply(target.overwrites.find((o) => o.type === 1 && o.id === userId));
    // Implicit permissions: no VIEW_CHANNEL, nothing; no SEND_MESSAGES, no mentions/embeds/files either.
    if (!(perms & P.ViewChannel)) return 0n;
    if (!THREAD_TYPES.has(channel.type) && !(perms & P.SendMessages))
      perms &= ~(P.MentionEveryone | P.EmbedLinks | P.AttachFiles | P.SendTTSMessages);
    return perms;
  }

  private hasPermission(guild: GuildState, channel: ChannelState, userId: string, perm: bigint): boolean {
    return (this.permissionsOf(guild, channel, userId) & perm) === perm;
  }

  /** The bot must see the channel (else 50001) and have `perm` there (else 50013). DMs allow everything. */
  private requireBot(channel: ChannelState, perm = 0n): GuildState | undefined {
    if (!channel.guildId) return undefined;
    const guild = this.guilds.get(channel.guildId)!;
    const perms = this.permissionsOf(guild, channel, this.botId);
    if (!(perms & P.ViewChannel)) throw E.missingAccess();
    if ((perms & perm) !== perm) throw E.missingPermissions();
    return guild;
  }

  // ---------------------------------------------------------------------------------- attachments

  private storeAttachment(channelId: string, messageId: string, spec: AttachmentSpec & { bytes: Buffer }): APIAttachment {
    const id = spec.id ?? this.clock.next();
    const filename = sanitizeFilename(spec.filename);
    const state: AttachmentState = {
      id,
      channelId,
      messageId,
      filename,
      bytes: spec.bytes,
      contentType: spec.contentType ?? guessContentType(filename),
      ...(spec.description ? { description: spec.description } : {}),
    };
    this.attachments.set(id, state);
    return {
      id,
      filename,
      ...(state.description ? { description: state.description } : {}),
      size: state.bytes.length,
      content_type: state.contentType,
      ...this.signAttachment(id),
    };
  }

  /** A fresh signed url/proxy_url pair: ex = expiry, is = issue time (hex unix seconds), hm = HMAC. */
  private signAttachment(attachmentId: string): { url: string; proxy_url: string } {
    const att = this.attachments.get(attachmentId)!;
    const issuedAt = Date.now();
    const expiresAt = issuedAt + this.attachmentTtlMs;
    const ex = hexSeconds(expiresAt);
    const is = hexSeconds(issuedAt);
    this.signCounter += 1;
    const hm = createHmac('sha256', this.signingKey)
      .update(`${att.channelId}/${att.id}/${att.filename}:${ex}:${is}:${this.signCounter}`)
      .digest('hex');
    this.signatures.set(hm, { attachmentId, expiresAt });
    const path = `/attachments/${att.channelId}/${att.id}/${encodeURIComponent(att.filename)}?ex=${ex}&is=${is}&hm=${hm}&`;
    return { url: `${this.cdnUrl}${path}`, proxy_url: `${this.baseUrl}/media${path}` };
  }

  private serveCdn(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const query = Object.fromEntries(url.searchParams);
    const path = url.pathname.replace(/^\/media/, '');
    const m = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/.exec(path);
    const att = m ? this.attachments.get(m[2]!) : undefined;
    const grant = this.signatures.get(query['hm'] ?? '');
    const ok =
      att !== undefined &&
      att.channelId === m?.[1] &&
      decodeURIComponent(m[3]!) === att.filename &&
      grant?.attachmentId === att.id &&
      query['ex'] === hexSeconds(grant.expiresAt) &&
      Date.now() < grant.expiresAt;
    const status = ok ? 200 : 404;
    this.downloads.push({ path: url.pathname, query, status, at: Date.now() });
    this.changed();
    if (!ok || !att) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This content is no longer available.');
      return;
    }
    res.writeHead(200, {
      'Content-Type': att.contentType,
      'Content-Length': att.bytes.length,
      'Cache-Control': 'public, max-age=31536000',
    });
    res.end(req.method === 'HEAD' ? undefined : att.bytes);
  }

  // ---------------------------------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://double');
    const method = (req.method ?? 'GET').toUpperCase();
    if ((method === 'GET' || method === 'HEAD') && /^(\/media)?\/attachments\//.test(url.pathname)) return this.serveCdn(req, res, url);

    const api = /^\/api(?:\/v(\d+))?(\/.*)$/.exec(url.pathname);
    // Recorded and routed decoded (clients escape e.g. "@original" as "%40original", emoji in reaction routes).
    const path = safeDecode(api ? api[2]! : url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req).catch(() => Buffer.alloc(0));
    const { body, files } = await parseBody(raw, req.headers['content-type']);
    const record: DiscordRequest = {
      method,
      path,
      query,
      body,
      ...(files.length ? { files } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      at: Date.now(),
    };
    this.requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
      this.changed();
    });
    const after: (() => void)[] = [];
    try {
      if (!api) throw E.notFound();
      if (api[1] !== undefined && api[1] !== '10' && api[1] !== '9') {
        throw new DiscordApiError(400, RESTJSONErrorCodes.GeneralError, `Invalid API version`);
      }
      const fault = this.takeFault(method, path);
      if (fault) return this.sendFault(res, fault);
      const candidates = this.routes.filter((r) => r.pattern.test(path));
      const route = candidates.find((r) => r.method === method);
      if (!route) throw candidates.length ? E.methodNotAllowed() : E.notFound();
      if (route.auth && req.headers.authorization !== `Bot ${this.token}`) throw E.unauthorized();
      const verdict = this.limiter?.take(method, path);
      if (verdict) for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
      if (verdict?.limited) return this.sendJson(res, verdict.status, verdict.body);
      const params = { ...route.pattern.exec(path)?.groups };
      // Handlers run synchronously; gateway events they cause are queued on `after` meanwhile.
      let pending: Reply | Promise<Reply>;
      this.afterResponse = after;
      try {
        pending = route.handle({ method, params, query, body, files });
      } finally {
        this.afterResponse = null;
      }
      const reply = await pending;
      this.sendJson(res, reply.status, reply.body);
    } catch (err) {
      if (err instanceof DiscordApiError) this.sendJson(res, err.status, err.body);
      else this.sendJson(res, 500, { message: `500: Internal Server Error (${(err as Error).message})`, code: 0 });
    } finally {
      // Gateway events caused by the request go out once the HTTP answer is on its way, as on Discord.
      if (after.length) setImmediate(() => after.forEach((f) => f()));
    }
  }

  /** Work to run after the current request's response (set during a handler). */
  private afterResponse: (() => void)[] | null = null;

  private later(fn: () => void): void {
    if (this.afterResponse) this.afterResponse.push(fn);
    else fn();
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    if (status === 204 || body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (!f.method || f.method === method) && f.route.test(path));
    if (fault) fault.remaining -= 1;
    return fault;
  }

  private sendFault(res: ServerResponse, fault: Fault): void {
    if (fault.kind === 'fail') {
      const status = fault.status ?? 500;
      this.sendJson(res, status, fault.body ?? defaultErrorBody(status));
      return;
    }
    const seconds = (fault.retryAfterMs ?? 1000) / 1000;
    const body = {
      message: 'You are being rate limited.',
      retry_after: Number(seconds.toFixed(3)),
      global: fault.global ?? false,
      code: 0,
    };
    const text = JSON.stringify(body);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      // Discord rounds Retry-After up to whole seconds; the double sends the exact value so tests stay fast
      // (discord.js reads it as a float).
      'Retry-After': String(seconds),
      'X-RateLimit-Scope': fault.scope ?? 'user',
    };
    if (fault.global) headers['X-RateLimit-Global'] = 'true';
    else {
      Object.assign(headers, {
        'X-RateLimit-Limit': '5',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': ((Date.now() + (fault.retryAfterMs ?? 1000)) / 1000).toFixed(3),
        'X-RateLimit-Reset-After': seconds.toFixed(3),
        'X-RateLimit-Bucket': createHmac('sha256', 'bucket').update(fault.route.source).digest('hex').slice(0, 32),
      });
    }
    res.writeHead(429, headers).end(text);
  }

  // ---------------------------------------------------------------------------------------- routes

  private buildRoutes(): RouteDef[] {
    const r = (method: string, template: string, handle: RouteDef['handle'], auth = true): RouteDef => ({
      method,
      auth,
      handle,
      pattern: new RegExp(`^${template.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`),
    });
    return [
      r('GET', '/gateway', () => ({ status: 200, body: { url: this.gatewayUrl } }), false),
      r('GET', '/gateway/bot', () => ({
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: {
            total: 1000,
            remaining: Math.max(0, 1000 - this.identifies.length),
            reset_after: 86_400_000,
            max_concurrency: 1,
          },
        },
      })),
      r('GET', '/users/@me', () => ({ status: 200, body: { ...this.botUser, verified: true, mfa_enabled: false, flags: 0, email: null } })),
      r('GET', '/users/:user', ({ params }) => {
        const user = this.users.get(params['user']!);
        if (!user) throw E.unknownUser();
        return { status: 200, body: user };
      }),
      r('POST', '/users/@me/channels', ({ body }) => this.openDm(body)),
      r('GET', '/applications/@me', () => ({ status: 200, body: this.applicationPayload() })),
      r('GET', '/oauth2/applications/@me', () => ({ status: 200, body: this.applicationPayload() })),
      r('GET', '/applications/:app/commands', ({ params }) => this.listCommands(params['app']!, null)),
      r('PUT', '/applications/:app/commands', ({ params, body }) => this.putCommands(params['app']!, null, body)),
      r('POST', '/applications/:app/commands', ({ params, body }) => this.postCommand(params['app']!, null, body)),
      r('GET', '/applications/:app/guilds/:guild/commands', ({ params }) => this.listCommands(params['app']!, params['guild']!)),
      r('PUT', '/applications/:app/guilds/:guild/commands', ({ params, body }) => this.putCommands(params['app']!, params['guild']!, body)),
      r('POST', '/applications/:app/guilds/:guild/commands', ({ params, body }) =>
        this.postCommand(params['app']!, params['guild']!, body),
      ),
      r('GET', '/guilds/:guild', ({ params, query }) => {
        const guild = this.guildOr404(params['guild']!);
        const counts =
          query['with_counts'] === 'true' ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {};
        return { status: 200, body: { ...this.guildPayload(guild), ...counts } };
      }),
      r('GET', '/guilds/:guild/threads/active', ({ params }) => this.activeThreads(params['guild']!)),
      r('GET', '/guilds/:guild/roles', ({ params }) => ({ status: 200, body: [...this.guildOr404(params['guild']!).roles.values()] })),
      r('GET', '/guilds/:guild/channels', ({ params }) => {
        const guild = this.guildOr404(params['guild']!);
        const list = guild.channelIds.map((id) => this.channels.get(id)!).filter((c) => !THREAD_TYPES.has(c.type));
        return { status: 200, body: list.map((c) => this.channelPayload(c)) };
      }),
      r('GET', '/guilds/:guild/members/:user', ({ params }) => {
        const guild = this.guildOr404(params['guild']!);
        const id = params['user'] === '@me' ? this.botId : params['user']!;
        const member = guild.members.get(id);
        if (!member) throw E.unknownMember();
        return { status: 200, body: this.memberPayload(member) };
      }),
      r('GET', '/channels/:channel', ({ params }) => {
        const channel = this.channelOr404(params['channel']!);
        this.requireBot(channel);
        return { status: 200, body: this.channelPayload(channel) };
      }),
      r('GET', '/channels/:channel/messages', (ctx) => this.listMessages(ctx)),
      r('POST', '/channels/:channel/messages', (ctx) => this.postMessage(ctx)),
      r('GET', '/channels/:channel/messages/:message', ({ params }) => {
        const channel = this.channelOr404(params['channel']!);
        this.requireBot(channel, P.ReadMessageHistory);
        return { status: 200, body: this.render(this.messageOr404(channel, params['message']!)) };
      }),
      r('PATCH', '/channels/:channel/messages/:message', (ctx) => this.patchChannelMessage(ctx)),
      r('DELETE', '/channels/:channel/messages/:message', ({ params }) => {
        const channel = this.channelOr404(params['channel']!);
        const stored = this.messageOr404(channel, params['message']!);
        this.requireBot(channel, stored.message.author.id === this.botId ? 0n : P.ManageMessages);
        this.deleteMessage(stored);
        return { status: 204 };
      }),
      r('POST', '/channels/:channel/typing', ({ params }) => {
        const channel = this.channelOr404(params['channel']!);
        this.requireBot(channel, THREAD_TYPES.has(channel.type) ? P.SendMessagesInThreads : P.SendMessages);
        return { status: 204 };
      }),
      r('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', ({ params }) => this.react(params, true)),
      r('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', ({ params }) => this.react(params, false)),
      r('POST', '/channels/:channel/messages/:message/threads', (ctx) => this.startThread(ctx, true)),
      r('POST', '/channels/:channel/threads', (ctx) => this.startThread(ctx, false)),
      r('POST', '/attachments/refresh-urls', ({ body }) => this.refreshUrls(body)),
      r('POST', '/interactions/:interaction/:token/callback', (ctx) => this.interactionCallbackRoute(ctx), false),
      r('GET', '/webhooks/:app/:token/messages/:message', (ctx) => this.webhookMessage(ctx), false),
      r('PATCH', '/webhooks/:app/:token/messages/:message', (ctx) => this.webhookMessage(ctx), false),
      r('DELETE', '/webhooks/:app/:token/messages/:message', (ctx) => this.webhookMessage(ctx), false),
      r('POST', '/webhooks/:app/:token', (ctx) => this.followUp(ctx), false),
    ];
  }

  private guildOr404(id: string): GuildState {
    const guild = this.guilds.get(id);
    if (!guild) throw E.unknownGuild();
    return guild;
  }

  private channelOr404(id: string): ChannelState {
    const channel = this.channels.get(id);
    if (!channel) throw E.unknownChannel();
    return channel;
  }

  private messageOr404(channel: ChannelState, id: string): StoredMessage {
    const stored = this.messageIndex.get(id);
    if (!stored || stored.ephemeral || stored.message.channel_id !== channel.id) throw E.unknownMessage();
    return stored;
  }

  private applicationPayload(): Record<string, unknown> {
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: '',
      summary: '',
      type: null,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: createHmac('sha256', 'verify').update(this.applicationId).digest('hex'),
      flags: this.applicationFlags(),
      hook: true,
      is_monetized: false,
      team: null,
      owner: {
        id: '1190000000000000998',
        username: 'app-owner',
        discriminator: '0',
        global_name: 'app-owner',
        avatar: null,
        public_flags: 0,
        flags: 0,
      },
      bot: this.botUser,
      approximate_guild_count: this.guilds.size,
      redirect_uris: [],
      interactions_endpoint_url: null,
      integration_types_config: { '0': {}, '1': {} },
    };
  }

  // ------------------------------------------------------------------------------------- messages

  private listMessages({ params, query }: RouteCtx): Reply {
    const channel = this.channelOr404(params['channel']!);
    const guild = this.requireBot(channel);
    const limit = query['limit'] === undefined ? 50 : Number(query['limit']);
    if (!Number.isInteger(limit) || limit < 1)
      throw E.invalidForm(['limit'], 'NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.');
    if (limit > 100) throw E.invalidForm(['limit'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.');
    // Without READ_MESSAGE_HISTORY Discord answers an empty list, not an error.
    if (guild && !this.hasPermission(guild, channel, this.botId, P.ReadMessageHistory)) return { status: 200, body: [] };
    const all = (this.channelMessages.get(channel.id) ?? []).filter((s) => !s.ephemeral);
    let picked: StoredMessage[];
    if (query['around']) {
      const pivot = query['around'];
      const older = all.filter((s) => compareSnowflakes(s.message.id, pivot) <= 0).slice(-Math.ceil(limit / 2));
      const newer = all.filter((s) => compareSnowflakes(s.message.id, pivot) > 0).slice(0, limit - older.length);
      picked = [...older, ...newer];
    } else if (query['after']) {
      const after = query['after'];
      picked = all.filter((s) => compareSnowflakes(s.message.id, after) > 0).slice(0, limit);
    } else {
      const before = query['before'];
      picked = (before ? all.filter((s) => compareSnowflakes(s.message.id, before) < 0) : all).slice(-limit);
    }
    // Newest first, whatever the parameters.
    return { status: 200, body: picked.reverse().map((s) => this.render(s)) };
  }

  private postMessage({ params, body, files }: RouteCtx): Reply {
    const channel = this.channelOr404(params['channel']!);
    if (!TEXT_TYPES.has(channel.type) && channel.type !== ChannelType.DM)
      throw new DiscordApiError(400, 50008, 'Cannot send messages in a non-text channel');
    const need = (THREAD_TYPES.has(channel.type) ? P.SendMessagesInThreads : P.SendMessages) | (files.length ? P.AttachFiles : 0n);
    const guild = this.requireBot(channel, need);
    const stored = this.createBotMessage(channel, guild, isRecord(body) ? body : {}, files, {});
    const rendered = this.render(stored);
    this.later(() => this.dispatchMessage(GatewayDispatchEvents.MessageCreate, stored, rendered));
    return { status: 200, body: rendered };
  }

  /** Validates a message payload from the bot and stores it (POST messages, interaction responses, follow-ups). */
  private createBotMessage(
    channel: ChannelState,
    guild: GuildState | undefined,
    body: Record<string, unknown>,
    files: RecordedFile[],
    extra: { interaction?: InteractionState; original?: boolean; deferred?: boolean },
  ): StoredMessage {
    const id = this.clock.next();
    const content = typeof body['content'] === 'string' ? body['content'] : '';
    if (content.length > MAX_CONTENT)
      throw E.invalidForm(['content'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);
    const embeds = Array.isArray(body['embeds']) ? (body['embeds'] as APIMessage['embeds']) : [];
    if (embeds.length > 10) throw E.invalidForm(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    const components = validateComponents(body['components']);
    const attachments = this.uploads(channel.id, id, body, files);
    const stickers = Array.isArray(body['sticker_ids']) ? body['sticker_ids'] : [];
    const hasPoll = isRecord(body['poll']);
    if (!extra.deferred && !content && !embeds.length && !attachments.length && !components.length && !stickers.length && !hasPoll) {
      throw E.emptyMessage();
    }
    const allowed = isRecord(body['allowed_mentions']) ? (body['allowed_mentions'] as APIAllowedMentions) : undefined;
    if (allowed?.parse?.includes('users' as never) && allowed.users?.length) {
      throw E.invalidForm(
        ['allowed_mentions'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        'parse:["users"] and users: [ids...] are mutually exclusive.',
      );
    }
    if (allowed?.parse?.includes('roles' as never) && allowed.roles?.length) {
      throw E.invalidForm(
        ['allowed_mentions'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        'parse:["roles"] and roles: [ids...] are mutually exclusive.',
      );
    }

    // message_reference: a reply; an unknown message is an error unless fail_if_not_exists is false.
    let reference: StoredMessage | undefined;
    const refBody = isRecord(body['message_reference']) ? body['message_reference'] : undefined;
    if (refBody && typeof refBody['message_id'] === 'string') {
      const refChannel = typeof refBody['channel_id'] === 'string' ? refBody['channel_id'] : channel.id;
      const found = this.messageIndex.get(refBody['message_id']);
      if (found && found.message.channel_id === refChannel && !found.ephemeral) reference = found;
      else if (refBody['fail_if_not_exists'] !== false) {
        throw E.invalidForm(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
      }
    }

    const requestedFlags = typeof body['flags'] === 'number' ? body['flags'] : 0;
    const settable =
      MessageFlags.SuppressEmbeds |
      MessageFlags.SuppressNotifications |
      MessageFlags.IsComponentsV2 |
      (extra.interaction ? MessageFlags.Ephemeral : 0);
    let flags = requestedFlags & settable;
    if (extra.deferred) flags |= MessageFlags.Loading;
    const mentions = this.userMentions(content, allowed);
    const replyPing = allowed ? (allowed.replied_user ?? false) : true;
    if (reference && replyPing && !mentions.some((u) => u.id === reference.message.author.id)) mentions.push(reference.message.author);
    const everyoneAllowed = !allowed || (allowed.parse ?? []).includes('everyone' as never);

    const interaction = extra.interaction;
    const message: APIMessage = {
      id,
      channel_id: channel.id,
      author: this.botUser,
      content,
      timestamp: new Date(timestampOfSnowflake(id)).toISOString(),
      edited_timestamp: null,
      tts: body['tts'] === true,
      mention_everyone:
        everyoneAllowed &&
        guild !== undefined &&
        /@(everyone|here)\b/.test(content) &&
        this.hasPermission(guild, channel, this.botId, P.MentionEveryone),
      mentions,
      mention_roles: this.roleMentions(content, allowed, guild),
      attachments,
      embeds,
      pinned: false,
      type: interaction ? interactionMessageType(interaction) : reference ? MessageType.Reply : MessageType.Default,
      flags,
      components,
      ...(typeof body['nonce'] === 'string' || typeof body['nonce'] === 'number' ? { nonce: body['nonce'] } : {}),
      ...(reference
        ? {
            message_reference: {
              type: 0,
              message_id: reference.message.id,
              channel_id: channel.id,
              ...(guild ? { guild_id: guild.id } : {}),
            },
          }
        : {}),
      ...(interaction
        ? {
            webhook_id: this.applicationId,
            application_id: this.applicationId,
            interaction_metadata: {
              id: interaction.id,
              type: interaction.type,
              user: interaction.user,
              authorizing_integration_owners: guild ? { '0': guild.id } : { '1': interaction.user.id },
              ...(interaction.commandType ? { name: interaction.name, command_type: interaction.commandType } : {}),
              ...(interaction.type === InteractionType.MessageComponent ? { interacted_message_id: interaction.messageId } : {}),
              ...(extra.original || !interaction.originalMessageId ? {} : { original_response_message_id: interaction.originalMessageId }),
            },
            interaction: { id: interaction.id, type: interaction.type, name: interaction.name, user: interaction.user },
          }
        : {}),
    } as APIMessage;
    return this.insert({
      message,
      guildId: guild?.id ?? null,
      ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
      ...(interaction ? { interactionId: interaction.id } : {}),
    });
  }

  /** Files of a multipart body, described by payload_json.attachments [{ id: n, filename?, description? }] ↔ files[n]. */
  private uploads(channelId: string, messageId: string, body: Record<string, unknown>, files: RecordedFile[]): APIAttachment[] {
    const described = Array.isArray(body['attachments']) ? (body['attachments'] as Record<string, unknown>[]) : [];
    return files.map((file, index) => {
      const n = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
      const meta = described.find((a) => String(a['id']) === n) ?? {};
      return this.storeAttachment(channelId, messageId, {
        filename: typeof meta['filename'] === 'string' ? meta['filename'] : file.filename,
        bytes: file.bytes,
        ...(file.contentType && file.contentType !== 'application/octet-stream' ? { contentType: file.contentType } : {}),
        ...(typeof meta['description'] === 'string' ? { description: meta['description'] } : {}),
      });
    });
  }

  private userMentions(content: string, allowed: APIAllowedMentions | undefined): APIUser[] {
    const parseUsers = !allowed || (allowed.parse ?? []).includes('users' as never);
    const ids = [...new Set([...content.matchAll(/<@!?(\d{15,21})>/g)].map((m) => m[1]!))];
    return ids
      .filter((id) => parseUsers || (allowed?.users ?? []).includes(id))
      .map((id) => this.users.get(id))
      .filter((u): u is APIUser => u !== undefined);
  }

  private roleMentions(content: string, allowed: APIAllowedMentions | undefined, guild: GuildState | undefined): string[] {
    if (!guild) return [];
    const parseRoles = !allowed || (allowed.parse ?? []).includes('roles' as never);
    const ids = [...new Set([...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!))];
    return ids.filter((id) => guild.roles.has(id) && (parseRoles || (allowed?.roles ?? []).includes(id)));
  }

  private insert(stored: StoredMessage): StoredMessage {
    const list = this.channelMessages.get(stored.message.channel_id) ?? [];
    let at = list.length;
    while (at > 0 && compareSnowflakes(list[at - 1]!.message.id, stored.message.id) > 0) at -= 1;
    list.splice(at, 0, stored);
    this.channelMessages.set(stored.message.channel_id, list);
    this.messageIndex.set(stored.message.id, stored);
    const channel = this.channels.get(stored.message.channel_id);
    if (channel && !stored.ephemeral && (!channel.lastMessageId || compareSnowflakes(stored.message.id, channel.lastMessageId) > 0)) {
      channel.lastMessageId = stored.message.id;
    }
    if (channel && THREAD_TYPES.has(channel.type)) channel.messageCount = (channel.messageCount ?? 0) + 1;
    this.changed();
    return stored;
  }

  private patchChannelMessage({ params, body, files }: RouteCtx): Reply {
    const channel = this.channelOr404(params['channel']!);
    const stored = this.messageOr404(channel, params['message']!);
    this.requireBot(channel);
    if (stored.message.author.id !== this.botId || stored.message.webhook_id) {
      // Others' messages: only SUPPRESS_EMBEDS may be toggled, with MANAGE_MESSAGES.
      throw E.editOthers();
    }
    return { status: 200, body: this.editMessage(stored, isRecord(body) ? body : {}, files) };
  }

  private editMessage(stored: StoredMessage, body: Record<string, unknown>, files: RecordedFile[]): APIMessage {
    const m = stored.message;
    const wasLoading = ((m.flags ?? 0) & MessageFlags.Loading) !== 0;
    if ('content' in body) {
      const content = typeof body['content'] === 'string' ? body['content'] : '';
      if (content.length > MAX_CONTENT)
        throw E.invalidForm(['content'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);
      m.content = content;
      const guild = stored.guildId ? this.guilds.get(stored.guildId) : undefined;
      const allowed = isRecord(body['allowed_mentions']) ? (body['allowed_mentions'] as APIAllowedMentions) : undefined;
      m.mentions = this.userMentions(content, allowed);
      m.mention_roles = this.roleMentions(content, allowed, guild);
    }
    if ('embeds' in body) m.embeds = Array.isArray(body['embeds']) ? (body['embeds'] as APIMessage['embeds']) : [];
    if ('components' in body) m.components = validateComponents(body['components']);
    if (typeof body['flags'] === 'number') {
      const keep = (m.flags ?? 0) & ~MessageFlags.SuppressEmbeds;
      m.flags = keep | (body['flags'] & MessageFlags.SuppressEmbeds);
    }
    // `attachments` lists the existing ones to keep (by id) plus descriptions of new files.
    if (Array.isArray(body['attachments']) || files.length) {
      const keepIds = new Set(
        (Array.isArray(body['attachments']) ? (body['attachments'] as Record<string, unknown>[]) : m.attachments).map((a) =>
          String(a['id']),
        ),
      );
      const kept = m.attachments.filter((a) => keepIds.has(a.id));
      m.attachments = [...kept, ...this.uploads(m.channel_id, m.id, body, files)];
    }
    m.flags = (m.flags ?? 0) & ~MessageFlags.Loading;
    if (!m.content && !m.embeds.length && !m.attachments.length && !(m.components ?? []).length) throw E.emptyMessage();
    // Completing a deferred response is not an "edit".
    if (!wasLoading) m.edited_timestamp = new Date().toISOString();
    const rendered = this.render(stored);
    this.later(() => this.dispatchMessage(GatewayDispatchEvents.MessageUpdate, stored, rendered));
    this.changed();
    return rendered;
  }

  private deleteMessage(stored: StoredMessage): void {
    const list = this.channelMessages.get(stored.message.channel_id) ?? [];
    const at = list.indexOf(stored);
    if (at >= 0) list.splice(at, 1);
    this.messageIndex.delete(stored.message.id);
    for (const att of stored.message.attachments) this.attachments.delete(att.id);
    if (!stored.ephemeral) {
      const payload = {
        id: stored.message.id,
        channel_id: stored.message.channel_id,
        ...(stored.guildId ? { guild_id: stored.guildId } : {}),
      };
      const intent = stored.guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
      this.later(() => this.gateway.dispatch(GatewayDispatchEvents.MessageDelete, (s) => (s.intents & intent ? payload : null)));
    }
    this.changed();
  }

  private react(params: Record<string, string>, add: boolean): Reply {
    const channel = this.channelOr404(params['channel']!);
    const stored = this.messageOr404(channel, params['message']!);
    this.requireBot(channel, P.ReadMessageHistory | (add ? P.AddReactions : 0n));
    const name = params['emoji']!;
    const custom = /^(?<n>[^:]+):(?<id>\d+)$/.exec(name)?.groups;
    const reactions = (stored.message.reactions ??= []);
    const existing = reactions.find((r) => (custom ? r.emoji.id === custom['id'] : r.emoji.name === name));
    if (add && !existing) {
      reactions.push({
        count: 1,
        count_details: { burst: 0, normal: 1 },
        me: true,
        me_burst: false,
        emoji: custom ? { id: custom['id']!, name: custom['n']! } : { id: null, name },
        burst_colors: [],
      });
    } else if (add && existing && !existing.me) {
      existing.me = true;
      existing.count += 1;
    } else if (!add && existing?.me) {
      existing.me = false;
      existing.count -= 1;
      if (existing.count === 0) reactions.splice(reactions.indexOf(existing), 1);
    }
    this.changed();
    return { status: 204 };
  }

  private startThread({ params, body }: RouteCtx, fromMessage: boolean): Reply {
    const parent = this.channelOr404(params['channel']!);
    const b = isRecord(body) ? body : {};
    if (parent.type !== ChannelType.GuildText && parent.type !== ChannelType.GuildAnnouncement) {
      throw new DiscordApiError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body');
    }
    const name = typeof b['name'] === 'string' ? b['name'].trim() : '';
    if (!name || name.length > 100) throw E.invalidForm(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    let id: string;
    let type: number;
    let starter: StoredMessage | undefined;
    if (fromMessage) {
      starter = this.messageOr404(parent, params['message']!);
      if (starter.message.thread || this.channels.has(starter.message.id)) throw E.threadExists();
      id = starter.message.id; // a thread started from a message shares its id
      type = parent.type === ChannelType.GuildAnnouncement ? ChannelType.AnnouncementThread : ChannelType.PublicThread;
    } else {
      id = this.clock.next();
      type = typeof b['type'] === 'number' ? b['type'] : ChannelType.PrivateThread;
      if (!THREAD_TYPES.has(type)) throw E.invalidForm(['type'], 'BASE_TYPE_CHOICES', `Value must be one of {11, 12}.`);
    }
    const guild = this.requireBot(parent, type === ChannelType.PrivateThread ? P.CreatePrivateThreads : P.CreatePublicThreads)!;
    const thread = this.newThread(guild, parent, { id, type, name, ownerId: this.botId });
    const payload = {
      ...this.channelPayload(thread),
      member: { id, user_id: this.botId, join_timestamp: thread.createdAt, flags: 0 },
    };
    if (starter) {
      starter.message.thread = this.channelPayload(thread) as unknown as APIMessage['thread'];
      const rendered = this.render(starter);
      this.later(() => this.dispatchMessage(GatewayDispatchEvents.MessageUpdate, starter, rendered));
    }
    this.later(() =>
      this.gateway.dispatch(GatewayDispatchEvents.ThreadCreate, (s) =>
        s.intents & GatewayIntentBits.Guilds ? { ...payload, newly_created: true } : null,
      ),
    );
    this.changed();
    return { status: 201, body: payload };
  }

  private newThread(
    guild: GuildState,
    parent: ChannelState,
    t: { id: string; type: number; name: string; ownerId: string },
  ): ChannelState & { createdAt: string } {
    const thread = {
      ...t,
      guildId: guild.id,
      parentId: parent.id,
      topic: null,
      overwrites: [],
      position: 0,
      lastMessageId: null,
      createdAt: new Date().toISOString(),
      memberCount: 1,
      messageCount: 0,
    };
    this.channels.set(t.id, thread);
    this.channelMessages.set(t.id, []);
    guild.channelIds.push(t.id);
    return thread;
  }

  private openDm(body: unknown): Reply {
    const recipientId = isRecord(body) && typeof body['recipient_id'] === 'string' ? body['recipient_id'] : '';
    const recipient = this.users.get(recipientId);
    if (!recipient) throw E.unknownUser();
    let channel = [...this.channels.values()].find((c) => c.type === ChannelType.DM && c.recipient?.id === recipientId);
    if (!channel) {
      channel = this.dmChannelState(this.clock.next(), recipient);
      this.channels.set(channel.id, channel);
      this.channelMessages.set(channel.id, []);
    }
    return { status: 200, body: this.channelPayload(channel) };
  }

  private refreshUrls(body: unknown): Reply {
    const urls = isRecord(body) && Array.isArray(body['attachment_urls']) ? (body['attachment_urls'] as unknown[]) : [];
    const refreshed_urls = urls
      .filter((u): u is string => typeof u === 'string')
      .map((original) => {
        const id = /\/attachments\/\d+\/(\d+)\//.exec(original)?.[1];
        const att = id ? this.attachments.get(id) : undefined;
        const fresh = att ? this.signAttachment(att.id) : undefined;
        return { original, refreshed: fresh ? (original.includes('/media/') ? fresh.proxy_url : fresh.url) : original };
      });
    return { status: 200, body: { refreshed_urls } };
  }

  // ------------------------------------------------------------------------------------- commands

  private checkApp(app: string): void {
    if (app !== this.applicationId) throw E.missingAccess();
  }

  private listCommands(app: string, guildId: string | null): Reply {
    this.checkApp(app);
    if (guildId) this.guildOr404(guildId);
    return { status: 200, body: guildId ? (this.guildCommands.get(guildId) ?? []) : this.globalCommands };
  }

  private putCommands(app: string, guildId: string | null, body: unknown): Reply {
    this.checkApp(app);
    if (guildId) this.guildOr404(guildId);
    if (!Array.isArray(body)) throw E.invalidForm([], 'BASE_TYPE_ARRAY', 'Must be an array.');
    const previous = guildId ? (this.guildCommands.get(guildId) ?? []) : this.globalCommands;
    const names = new Set<string>();
    const next = body.map((raw, index) => {
      const cmd = this.validateCommand(raw, [index]);
      const key = `${cmd['type']}:${cmd['name']}`;
      if (names.has(key))
        throw E.invalidForm([index, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
      names.add(key);
      // A bulk overwrite keeps the id of a command with the same name and type.
      const kept = previous.find((p) => `${p['type']}:${p['name']}` === key);
      return this.commandPayload(cmd, guildId, kept?.['id'] as string | undefined);
    });
    if (guildId) this.guildCommands.set(guildId, next);
    else this.globalCommands.splice(0, this.globalCommands.length, ...next);
    this.changed();
    return { status: 200, body: next };
  }

  private postCommand(app: string, guildId: string | null, body: unknown): Reply {
    this.checkApp(app);
    if (guildId) this.guildOr404(guildId);
    const cmd = this.validateCommand(body, []);
    const list = guildId ? (this.guildCommands.get(guildId) ?? []) : this.globalCommands;
    const at = list.findIndex((p) => p['name'] === cmd['name'] && p['type'] === cmd['type']);
    const created = this.commandPayload(cmd, guildId, at >= 0 ? (list[at]!['id'] as string) : undefined);
    if (at >= 0) list[at] = created;
    else list.push(created);
    if (guildId) this.guildCommands.set(guildId, list);
    this.changed();
    return { status: at >= 0 ? 200 : 201, body: created };
  }

  private validateCommand(raw: unknown, path: (string | number)[]): Record<string, unknown> {
    if (!isRecord(raw)) throw E.invalidForm(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const type = typeof raw['type'] === 'number' ? raw['type'] : ApplicationCommandType.ChatInput;
    const name = typeof raw['name'] === 'string' ? raw['name'] : '';
    const chatInput = type === ApplicationCommandType.ChatInput;
    const validName = (n: unknown) =>
      typeof n === 'string' &&
      (chatInput ? /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u.test(n) && n === n.toLowerCase() : n.length >= 1 && n.length <= 32);
    if (!validName(name)) throw E.invalidForm([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    const description = typeof raw['description'] === 'string' ? raw['description'] : '';
    const validDescription = (d: unknown) => typeof d === 'string' && d.length >= 1 && d.length <= 100;
    if (chatInput && !validDescription(description)) {
      throw E.invalidForm([...path, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    // Context-menu commands have no description: Discord refuses one that is not empty.
    if (!chatInput && description)
      throw E.invalidForm(
        [...path, 'description'],
        'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
        'Context menu commands cannot have description',
      );
    validateLocalizations(raw, path, validName, chatInput ? validDescription : (d) => d === '');
    const options = Array.isArray(raw['options']) ? raw['options'] : [];
    options.forEach((o, i) => {
      if (
        !isRecord(o) ||
        typeof o['name'] !== 'string' ||
        !/^[-_'\p{L}\p{N}]{1,32}$/u.test(o['name']) ||
        o['name'] !== o['name'].toLowerCase()
      ) {
        throw E.invalidForm([...path, 'options', i, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      }
      const d = typeof o['description'] === 'string' ? o['description'] : '';
      if (d.length < 1 || d.length > 100)
        throw E.invalidForm([...path, 'options', i, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      validateLocalizations(o, [...path, 'options', i], validName, validDescription);
    });
    return { ...raw, type, name, description };
  }

  private commandPayload(cmd: Record<string, unknown>, guildId: string | null, id?: string): Record<string, unknown> {
    return {
      id: id ?? this.clock.next(),
      application_id: this.applicationId,
      version: this.clock.next(),
      default_member_permissions: cmd['default_member_permissions'] ?? null,
      type: cmd['type'],
      name: cmd['name'],
      name_localizations: cmd['name_localizations'] ?? null,
      description: cmd['description'],
      description_localizations: cmd['description_localizations'] ?? null,
      ...(Array.isArray(cmd['options']) && cmd['options'].length ? { options: cmd['options'] } : {}),
      nsfw: cmd['nsfw'] === true,
      ...(guildId
        ? { guild_id: guildId }
        : {
            dm_permission: cmd['dm_permission'] ?? true,
            contexts: cmd['contexts'] ?? null,
            integration_types: cmd['integration_types'] ?? [0],
          }),
    };
  }

  // ----------------------------------------------------------------------------------- interactions

  private interactionCallbackRoute({ params, query, body, files }: RouteCtx): Reply {
    const state = this.interactions.get(params['interaction']!);
    if (!state || state.token !== params['token']) throw E.unknownInteraction();
    const elapsedMs = performance.now() - state.dispatchedAt;
    const b = isRecord(body) ? body : {};
    const type = typeof b['type'] === 'number' ? b['type'] : -1;
    if (state.callback?.accepted) throw E.alreadyAcknowledged();
    const accepted = elapsedMs <= this.interactionDeadlineMs;
    state.callback = { type, data: b['data'], elapsedMs, accepted };
    this.changed();
    if (!accepted) throw E.unknownInteraction();

    const channel = this.channels.get(state.channelId)!;
    const guild = state.guildId ? this.guilds.get(state.guildId) : undefined;
    const data = isRecord(b['data']) ? b['data'] : {};
    const onMessage = state.messageId ? this.messageIndex.get(state.messageId) : undefined;
    let stored: StoredMessage | undefined;
    try {
      if (type === InteractionResponseType.ChannelMessageWithSource) {
        stored = this.createBotMessage(channel, guild, data, files, { interaction: state, original: true });
      } else if (type === InteractionResponseType.DeferredChannelMessageWithSource) {
        const flags = typeof data['flags'] === 'number' ? data['flags'] & MessageFlags.Ephemeral : 0;
        stored = this.createBotMessage(channel, guild, { flags }, [], { interaction: state, original: true, deferred: true });
      } else if (type === InteractionResponseType.DeferredMessageUpdate || type === InteractionResponseType.UpdateMessage) {
        // Only for a component's message (or a dialog opened from one); @original is then that message.
        if (!onMessage) throw E.invalidForm(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is invalid');
        state.originalMessageId = onMessage.message.id;
        if (type === InteractionResponseType.UpdateMessage) this.editMessage(onMessage, data, files);
      } else if (type === InteractionResponseType.Modal) {
        if (state.type === InteractionType.ModalSubmit)
          throw E.invalidForm(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is invalid');
        state.modal = validateModal(data);
      } else {
        throw E.invalidForm(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {4, 5, 6, 7, 9, 10, 12}.');
      }
    } catch (error) {
      state.callback = undefined;
      throw error;
    }
    if (stored) {
      state.originalMessageId = stored.message.id;
      const rendered = this.render(stored);
      this.later(() => this.dispatchMessage(GatewayDispatchEvents.MessageCreate, stored, rendered));
    }
    if (query['with_response'] !== 'true') return { status: 204 };
    const message = stored ? this.render(stored) : undefined;
    return {
      status: 200,
      body: {
        interaction: {
          id: state.id,
          type: state.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: type === InteractionResponseType.DeferredChannelMessageWithSource,
                response_message_ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
              }
            : {}),
        },
        resource: { type, ...(message ? { message } : {}) },
      },
    };
  }

  private interactionFor(app: string, token: string): InteractionState {
    if (app !== this.applicationId) throw E.unknownWebhook();
    const state = [...this.interactions.values()].find((i) => i.token === token);
    if (!state) throw E.unknownWebhook();
    if (Date.now() - state.dispatchedWall > INTERACTION_TOKEN_TTL_MS) throw E.invalidWebhookToken();
    return state;
  }

  private webhookMessage({ method, params, body, files }: RouteCtx): Reply {
    const state = this.interactionFor(params['app']!, params['token']!);
    const id = params['message'] === '@original' ? state.originalMessageId : params['message'];
    const stored = id ? this.messageIndex.get(id) : undefined;
    // After a type 6/7 response, @original is the message the component was on.
    if (!stored || (stored.interactionId !== state.id && stored.message.id !== state.messageId)) throw E.unknownMessage();
    if (method === 'GET') return { status: 200, body: this.render(stored) };
    if (method === 'DELETE') {
      this.deleteMessage(stored);
      if (state.originalMessageId === stored.message.id) delete state.originalMessageId;
      return { status: 204 };
    }
    return { status: 200, body: this.editMessage(stored, isRecord(body) ? body : {}, files) };
  }

  private followUp({ params, query, body, files }: RouteCtx): Reply {
    const state = this.interactionFor(params['app']!, params['token']!);
    // Follow-ups need the interaction to have been acknowledged first.
    if (!state.callback?.accepted) throw E.unknownWebhook();
    const channel = this.channels.get(state.channelId)!;
    const guild = state.guildId ? this.guilds.get(state.guildId) : undefined;
    const stored = this.createBotMessage(channel, guild, isRecord(body) ? body : {}, files, { interaction: state });
    state.followupIds.push(stored.message.id);
    const rendered = this.render(stored);
    this.later(() => this.dispatchMessage(GatewayDispatchEvents.MessageCreate, stored, rendered));
    return query['wait'] === 'true' ? { status: 200, body: rendered } : { status: 204 };
  }
}

// ------------------------------------------------------------------------------------------ parsing

/**
 * A message's components as Discord checks them (classic layout): at most 5 action rows, each with up
 * to 5 buttons or one select; custom_ids of 1–100 characters, unique in the message; button labels up
 * to 80; a select's 1–25 options (labels and values up to 100) and a placeholder up to 150.
 */
function validateComponents(raw: unknown): NonNullable<APIMessage['components']> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw E.invalidForm(['components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
  if (raw.length > 5) throw E.invalidForm(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  const ids = new Set<string>();
  raw.forEach((row, i) => {
    const at = ['components', i];
    if (!isRecord(row) || row['type'] !== ComponentType.ActionRow || !Array.isArray(row['components']))
      throw E.invalidForm(at, 'COMPONENT_TYPE_INVALID', 'The specified component type is invalid in this context');
    const children = row['components'].filter(isRecord);
    const selects = children.filter((c) => c['type'] !== ComponentType.Button).length;
    if (!children.length || children.length > 5 || (selects && children.length > 1))
      throw E.invalidForm(at, 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    children.forEach((c, j) => {
      const where = [...at, 'components', j];
      const isLink = c['type'] === ComponentType.Button && c['style'] === 5;
      const customId = typeof c['custom_id'] === 'string' ? c['custom_id'] : '';
      if (!isLink) {
        if (customId.length < 1 || customId.length > 100)
          throw E.invalidForm([...where, 'custom_id'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
        if (ids.has(customId))
          throw E.invalidForm([...where, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
        ids.add(customId);
      }
      if (c['type'] === ComponentType.Button && typeof c['label'] === 'string' && c['label'].length > 80)
        throw E.invalidForm([...where, 'label'], 'BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.');
      if (c['type'] === ComponentType.StringSelect) {
        const options = Array.isArray(c['options']) ? c['options'].filter(isRecord) : [];
        if (options.length < 1 || options.length > 25)
          throw E.invalidForm([...where, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
        if (options.some((o) => String(o['label'] ?? '').length > 100 || String(o['value'] ?? '').length > 100))
          throw E.invalidForm([...where, 'options'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
        if (typeof c['placeholder'] === 'string' && c['placeholder'].length > 150)
          throw E.invalidForm([...where, 'placeholder'], 'BASE_TYPE_MAX_LENGTH', 'Must be 150 or fewer in length.');
      }
    });
  });
  return raw as NonNullable<APIMessage['components']>;
}

const LOCALES = new Set<string>(Object.values(Locale));

/**
 * name_localizations / description_localizations as Discord checks them: keys are Discord locales
 * ("zh-CN", "en-US", …; "zh" or "en" are refused), values follow the rules of the name and description.
 */
function validateLocalizations(
  raw: Record<string, unknown>,
  path: (string | number)[],
  validName: (n: unknown) => boolean,
  validDescription: (d: unknown) => boolean,
): void {
  for (const [field, valid] of [
    ['name_localizations', validName],
    ['description_localizations', validDescription],
  ] as const) {
    const map = raw[field];
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) throw E.invalidForm([...path, field], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    for (const [locale, text] of Object.entries(map)) {
      if (!LOCALES.has(locale)) throw E.invalidForm([...path, field, locale], 'LOCALE_INVALID', `Invalid locale "${locale}"`);
      if (!valid(text))
        throw E.invalidForm(
          [...path, field, locale],
          field === 'name_localizations' ? 'APPLICATION_COMMAND_INVALID_NAME' : 'BASE_TYPE_BAD_LENGTH',
          field === 'name_localizations' ? 'Command name is invalid' : 'Must be between 1 and 100 in length.',
        );
    }
  }
}

/** The message type of an interaction's response: a slash command's, a context menu's, or a plain one. */
function interactionMessageType(interaction: InteractionState): MessageType {
  if (interaction.commandType === ApplicationCommandType.ChatInput) return MessageType.ChatInputCommand;
  if (interaction.commandType) return MessageType.ContextMenuCommand;
  return MessageType.Default;
}

/** A dialog (response type 9) as Discord checks it: custom_id, a title of 1–45, 1–5 rows of one text input each. */
function validateModal(data: Record<string, unknown>): Record<string, unknown> {
  const customId = typeof data['custom_id'] === 'string' ? data['custom_id'] : '';
  if (customId.length < 1 || customId.length > 100)
    throw E.invalidForm(['data', 'custom_id'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  const title = typeof data['title'] === 'string' ? data['title'] : '';
  if (title.length < 1 || title.length > 45)
    throw E.invalidForm(['data', 'title'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.');
  const rows = Array.isArray(data['components']) ? data['components'] : [];
  if (rows.length < 1 || rows.length > 5)
    throw E.invalidForm(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  rows.forEach((row, i) => {
    const inputs = isRecord(row) && Array.isArray(row['components']) ? row['components'] : [];
    const input = inputs[0];
    if (
      !isRecord(row) ||
      row['type'] !== ComponentType.ActionRow ||
      inputs.length !== 1 ||
      !isRecord(input) ||
      input['type'] !== ComponentType.TextInput
    )
      throw E.invalidForm(['data', 'components', i], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'A modal row holds exactly one text input');
    const label = typeof input['label'] === 'string' ? input['label'] : '';
    if (label.length < 1 || label.length > 45)
      throw E.invalidForm(
        ['data', 'components', i, 'components', 0, 'label'],
        'BASE_TYPE_BAD_LENGTH',
        'Must be between 1 and 45 in length.',
      );
    if (input['style'] !== 1 && input['style'] !== 2)
      throw E.invalidForm(['data', 'components', i, 'components', 0, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
  });
  return copy(data);
}

async function parseBody(raw: Buffer, contentType: string | undefined): Promise<{ body: unknown; files: RecordedFile[] }> {
  if (!raw.length) return { body: undefined, files: [] };
  const type = contentType ?? '';
  if (type.startsWith('multipart/form-data')) {
    // The platform's own multipart parser (undici), as a Response body.
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
    const body: Record<string, unknown> = {};
    const files: RecordedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') Object.assign(body, tryJson(value));
        else body[field] = value;
      } else {
        files.push({
          field,
          filename: value.name,
          contentType: value.type || 'application/octet-stream',
          bytes: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { body, files };
  }
  const text = raw.toString('utf8');
  if (type.startsWith('application/json')) return { body: tryJson(text), files: [] };
  return { body: text, files: [] };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Discord's body for a status when the test does not give one. */
function defaultErrorBody(status: number): Record<string, unknown> {
  switch (status) {
    case 400:
      return { message: '400: Bad Request', code: 0 };
    case 401:
      return { message: '401: Unauthorized', code: 0 };
    case 403:
      return { message: 'Missing Permissions', code: RESTJSONErrorCodes.MissingPermissions };
    case 404:
      return { message: '404: Not Found', code: 0 };
    case 502:
      return { message: '502: Bad Gateway', code: 0 };
    case 503:
      return { message: '503: Service Unavailable', code: 0 };
    default:
      return { message: `${status}: Internal Server Error`, code: 0 };
  }
}
