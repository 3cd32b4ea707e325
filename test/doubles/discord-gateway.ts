/**
 * The WebSocket half of the Discord double: a gateway that speaks v10 JSON the way discord.js's
 * @discordjs/ws expects (see the Gateway docs, "Connection Lifecycle"):
 *
 *   client connects to `${url}?v=10&encoding=json`
 *   ← HELLO      { op: 10, d: { heartbeat_interval } }
 *   → IDENTIFY   { op: 2, d: { token, intents, properties, shard } }
 *   ← READY      { op: 0, t: 'READY', s: 1, d: { v, user, guilds: [unavailable…], session_id, resume_gateway_url, application } }
 *   ← GUILD_CREATE … (the double sends these after READY)
 *   → HEARTBEAT  { op: 1, d: lastSeq }   ← HEARTBEAT_ACK { op: 11 }
 *   → RESUME     { op: 6, d: { token, session_id, seq } } on a new socket   ← missed events, then RESUMED
 *
 * Refusals close the socket with Discord's close codes and reasons: 4004 "Authentication failed.",
 * 4013 "Invalid intent(s).", 4014 "Disallowed intent(s).", 4012 "Invalid API version.", 4002, 4003, 4005.
 *
 * The DiscordDouble owns the state; this module only runs the sockets. It asks its host (the double) what
 * to answer an IDENTIFY with, and the host pushes dispatches through `GatewayServer.dispatch`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord-api-types/v10';
import type { GatewayIdentifyData, GatewayReadyDispatchData, GatewayResumeData } from 'discord-api-types/v10';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** What Discord writes in the close frame for each code (Gateway docs, "Gateway Close Event Codes"). */
export const CLOSE_REASONS: Readonly<Record<number, string>> = {
  [GatewayCloseCodes.UnknownError]: 'Unknown error.',
  [GatewayCloseCodes.UnknownOpcode]: 'Unknown opcode.',
  [GatewayCloseCodes.DecodeError]: 'Error while decoding payload.',
  [GatewayCloseCodes.NotAuthenticated]: 'Not authenticated.',
  [GatewayCloseCodes.AuthenticationFailed]: 'Authentication failed.',
  [GatewayCloseCodes.AlreadyAuthenticated]: 'Already authenticated.',
  [GatewayCloseCodes.InvalidSeq]: 'Invalid seq.',
  [GatewayCloseCodes.RateLimited]: 'Rate limited.',
  [GatewayCloseCodes.SessionTimedOut]: 'Session timed out.',
  [GatewayCloseCodes.InvalidShard]: 'Invalid shard.',
  [GatewayCloseCodes.ShardingRequired]: 'Sharding required.',
  [GatewayCloseCodes.InvalidAPIVersion]: 'Invalid API version.',
  [GatewayCloseCodes.InvalidIntents]: 'Invalid intent(s).',
  [GatewayCloseCodes.DisallowedIntents]: 'Disallowed intent(s).',
};

/** One gateway frame as sent on the wire. */
export interface GatewayFrame {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** Everything a client sent, in order, for assertions (IDENTIFY tokens are kept: they are the double's own). */
export interface GatewayReceived {
  sessionId: string | null;
  op: number;
  d: unknown;
  at: number;
}

export type IdentifyAnswer = { close: number; reason?: string } | { ready: GatewayReadyDispatchData };

/** The double's side of the conversation. */
export interface GatewayHost {
  /** Decide on an IDENTIFY: refuse it with a close code, or give the READY payload (session_id is filled in). */
  identify(identify: GatewayIdentifyData): IdentifyAnswer;
  /** Called once READY has been sent: the place to send GUILD_CREATE for the guilds listed in it. */
  ready(session: GatewaySession): void;
  /** A RESUME's token is checked here. */
  tokenIsValid(token: string): boolean;
  /** Something happened on the gateway (a payload received, a close sent): waiters re-check. */
  changed(): void;
}

let sessionCounter = 0;

/**
 * A gateway session: outlives its socket (a dropped connection can RESUME), keeps the sequence number
 * and the events sent since, so a resuming client gets what it missed.
 */
export class GatewaySession {
  readonly id: string;
  readonly intents: number;
  readonly identify: GatewayIdentifyData;
  socket: WebSocket | null;
  seq = 0;
  /** Dispatches sent (or queued while disconnected), for replay on RESUME. Trimmed to the last 1000. */
  private readonly sent: GatewayFrame[] = [];
  /** The session was ended (closed with a code that does not allow resuming, or replaced). */
  ended = false;

  constructor(socket: WebSocket, identify: GatewayIdentifyData) {
    sessionCounter += 1;
    // Discord's session ids are 32 hex characters.
    this.id = `${Date.now().toString(16)}${sessionCounter.toString(16)}`.padEnd(32, '0').slice(0, 32);
    this.socket = socket;
    this.identify = identify;
    this.intents = identify.intents;
  }

  /** Sends (or queues, while disconnected) a dispatch with the next sequence number. */
  dispatch(t: string, d: unknown): void {
    if (this.ended) return;
    this.seq += 1;
    const frame: GatewayFrame = { op: GatewayOpcodes.Dispatch, t, s: this.seq, d };
    this.sent.push(frame);
    if (this.sent.length > 1000) this.sent.shift();
    if (this.socket && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** The dispatches after `seq`, or null if some of them are no longer kept (the client must re-identify). */
  since(seq: number): GatewayFrame[] | null {
    if (seq > this.seq) return null;
    const missed = this.sent.filter((f) => (f.s ?? 0) > seq);
    if (missed.length !== this.seq - seq) return null;
    return missed;
  }
}

export interface GatewayOptions {
  /** What HELLO tells the client. Discord sends 41250. */
  heartbeatIntervalMs: number;
  /** Path the gateway answers on, e.g. "/gateway". */
  path: string;
}

/** Serves the gateway on an existing HTTP server (WebSocket upgrade on `path`). */
export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  /** Every payload any client sent, in order. */
  readonly received: GatewayReceived[] = [];
  /** Close codes the double sent, in order (e.g. 4014). */
  readonly closes: { code: number; reason: string; at: number }[] = [];
  /** Number of HEARTBEAT_ACKs sent. */
  heartbeatAcks = 0;
  /** Number of connections accepted (a resume counts as a new one). */
  connections = 0;

  constructor(
    private readonly host: GatewayHost,
    readonly options: GatewayOptions,
  ) {}

  /** Live sessions (identified, not ended). */
  get liveSessions(): GatewaySession[] {
    return [...this.sessions.values()].filter((s) => !s.ended);
  }

  /** To be called from the HTTP server's 'upgrade' event; returns false if the path is not the gateway's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== this.options.path && url.pathname !== `${this.options.path}/`) return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url.searchParams));
    return true;
  }

  /** Sends a dispatch to every live session that `build` returns a payload for (null: not for that one). */
  dispatch(t: string, build: (session: GatewaySession) => unknown): void {
    for (const session of this.liveSessions) {
      const d = build(session);
      if (d !== null && d !== undefined) session.dispatch(t, d);
    }
  }

  /** Closes every client socket with `code` (default 4000, which clients answer by resuming). */
  drop(code: number = GatewayCloseCodes.UnknownError, reason = CLOSE_REASONS[code] ?? ''): void {
    for (const session of this.liveSessions) {
      if (session.socket) this.close(session.socket, code, reason);
    }
  }

  /** Ends everything: sockets are terminated, sessions forgotten. */
  async shutdown(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    for (const session of this.sessions.values()) session.ended = true;
    await new Promise<void>((done) => this.wss.close(() => done()));
  }

  // -------------------------------------------------------------------------------------- internals

  private close(ws: WebSocket, code: number, reason = CLOSE_REASONS[code] ?? ''): void {
    this.closes.push({ code, reason, at: Date.now() });
    queueMicrotask(() => this.host.changed());
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  }

  private send(ws: WebSocket, frame: GatewayFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }

  private accept(ws: WebSocket, params: URLSearchParams): void {
    this.connections += 1;
    ws.on('error', () => {}); // a client may vanish mid-frame; nothing to report
    if (params.get('v') !== '10') return this.close(ws, GatewayCloseCodes.InvalidAPIVersion);
    if ((params.get('encoding') ?? 'json') !== 'json') return this.close(ws, GatewayCloseCodes.DecodeError);
    // zlib-stream transport compression is not implemented; discord.js only asks for it when the optional
    // zlib-sync package is installed (it is not here).
    if (params.has('compress')) return this.close(ws, GatewayCloseCodes.DecodeError, 'zlib-stream is not supported by the double.');

    let session: GatewaySession | null = null;
    this.send(ws, {
      op: GatewayOpcodes.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['["gateway-double",{"micros":0}]'] },
      s: null,
      t: null,
    });

    ws.on('close', (code) => {
      if (!session) return;
      if (session.socket === ws) session.socket = null;
      // 1000/1001 from the client end the session (Discord invalidates it); other codes keep it resumable.
      if (code === 1000 || code === 1001) session.ended = true;
    });

    ws.on('message', (raw: RawData, isBinary: boolean) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        payload = JSON.parse(rawToString(raw)) as { op?: unknown; d?: unknown };
      } catch {
        return this.close(ws, GatewayCloseCodes.DecodeError);
      }
      const op = typeof payload.op === 'number' ? payload.op : -1;
      this.received.push({ sessionId: session?.id ?? null, op, d: payload.d, at: Date.now() });
      queueMicrotask(() => this.host.changed());

      switch (op) {
        case GatewayOpcodes.Heartbeat:
          this.heartbeatAcks += 1;
          return this.send(ws, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        case GatewayOpcodes.Identify: {
          if (session) return this.close(ws, GatewayCloseCodes.AlreadyAuthenticated);
          const identify = payload.d as GatewayIdentifyData;
          const answer = this.host.identify(identify);
          if ('close' in answer) return this.close(ws, answer.close, answer.reason);
          session = new GatewaySession(ws, identify);
          this.sessions.set(session.id, session);
          session.dispatch(GatewayDispatchEvents.Ready, { ...answer.ready, session_id: session.id });
          this.host.ready(session);
          return;
        }
        case GatewayOpcodes.Resume: {
          if (session) return this.close(ws, GatewayCloseCodes.AlreadyAuthenticated);
          const resume = payload.d as GatewayResumeData;
          const old = this.sessions.get(resume?.session_id ?? '');
          if (!this.host.tokenIsValid(resume?.token ?? '')) return this.close(ws, GatewayCloseCodes.AuthenticationFailed);
          const missed = old && !old.ended ? old.since(resume.seq) : null;
          if (!old || !missed) {
            // Opcode 9 with d: false — the session cannot be resumed; the client re-identifies.
            return this.send(ws, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
          }
          session = old;
          if (old.socket && old.socket !== ws) old.socket.terminate();
          old.socket = ws;
          for (const frame of missed) this.send(ws, frame);
          old.dispatch(GatewayDispatchEvents.Resumed, null);
          return;
        }
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
        case GatewayOpcodes.RequestGuildMembers:
        case GatewayOpcodes.RequestSoundboardSounds:
          if (!session) return this.close(ws, GatewayCloseCodes.NotAuthenticated);
          return; // recorded above; the double does not act on these
        default:
          return this.close(ws, session ? GatewayCloseCodes.UnknownOpcode : GatewayCloseCodes.NotAuthenticated);
      }
    });
  }
}

function rawToString(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}
