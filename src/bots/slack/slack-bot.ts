import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { ConversationFollower } from '../../app/conversation-follower.js';
import type { CitebotCore } from '../../core.js';
import { CitebotError, isConnectionError, oneLine } from '../../errors.js';
import { catchUpConversations } from './conversation-catch-up.js';
import { log } from '../../log.js';
import { dropRedeliveries } from './delivery-dedupe.js';
import { registerAskCommand } from './listeners/ask-command.js';
import { registerConversationListeners } from './listeners/conversation.js';
import { registerFeedbackAction } from './listeners/feedback-action.js';
import { registerForgetCommand } from './listeners/forget-command.js';
import { registerHomeTab } from './listeners/home-tab.js';
import { registerIndexShortcut } from './listeners/index-shortcut.js';
import { registerIngest } from './listeners/ingest-command.js';
import { registerMessageSync } from './listeners/message-sync.js';
import { registerSourcesCommand } from './listeners/sources-command.js';
import { SlackOutbox } from './message-outbox.js';
import { WorkspaceFeatures } from './answer-stream.js';
import { ThreadRegistry, type SlackContext } from './slack-context.js';
import { slackError } from './slack-errors.js';

export interface SlackBot {
  app: App;
  mode: 'socket' | 'http';
  /** The HTTP receiver's port (HTTP mode). */
  port?: number;
  /** The catch-up of followed channels started at connect (resolves when done; never rejects). */
  catchUp?: Promise<unknown>;
  stop(): Promise<void>;
}

/** Bolt's log lines through citebot's logger (secrets are redacted there). */
const boltLogger = {
  debug: (...msg: unknown[]) => log.debug(`slack: ${msg.map(String).join(' ')}`),
  info: (...msg: unknown[]) => log.debug(`slack: ${msg.map(String).join(' ')}`),
  warn: (...msg: unknown[]) => log.warn(`slack: ${msg.map(String).join(' ')}`),
  error: (...msg: unknown[]) => log.error(`slack: ${msg.map(String).join(' ')}`),
  setLevel: () => {},
  getLevel: () => LogLevel.INFO,
  setName: () => {},
};

/** For the start-up probe: its failure is reported once by the adapter runner, so the client's own warnings are debug. */
const probeLogger = { ...boltLogger, warn: boltLogger.debug };

/** Which receiver the settings ask for: Socket Mode with an app token, else HTTP with the signing secret. */
export function slackMode(core: CitebotCore): 'socket' | 'http' | undefined {
  const s = core.settings;
  if (!s.SLACK_BOT_TOKEN) return undefined;
  if (s.SLACK_APP_TOKEN) return 'socket';
  return s.SLACK_SIGNING_SECRET ? 'http' : undefined;
}

function buildReceiver(core: CitebotCore, mode: 'socket' | 'http'): Receiver {
  const s = core.settings;
  if (mode === 'socket') {
    return new SocketModeReceiver({
      appToken: s.SLACK_APP_TOKEN!,
      logger: boltLogger,
      installerOptions: { clientOptions: { slackApiUrl: s.SLACK_API_URL } },
    });
  }
  return new HTTPReceiver({
    signingSecret: s.SLACK_SIGNING_SECRET!,
    endpoints: '/slack/events',
    // Acknowledge before the listener finishes: answers take longer than Slack's 3 seconds.
    processBeforeResponse: false,
    logger: boltLogger,
  });
}

/** The Bolt app with every citebot listener, not yet started. Tests drive it through `app.processEvent` too. */
/** Who citebot is in the workspace (auth.test). */
export interface SlackIdentity {
  botUserId: string;
  botId: string;
  /** https://<team>.slack.com/ (auth.test `url`), for message permalinks. */
  url?: string;
}

export function createSlackApp(core: CitebotCore, identity: SlackIdentity, mode: 'socket' | 'http'): App {
  return createSlackAdapter(core, identity, mode).app;
}

/** The Bolt app and the state its listeners share (the conversation follower among it). */
function createSlackAdapter(core: CitebotCore, identity: SlackIdentity, mode: 'socket' | 'http'): { app: App; context: SlackContext } {
  const s = core.settings;
  const app = new App({
    token: s.SLACK_BOT_TOKEN,
    receiver: buildReceiver(core, mode),
    logger: boltLogger,
    // The identity comes from auth.test in startSlackBot. Given both ids, Bolt calls auth.test
    // neither at start nor (worse: before each ack) on every request.
    tokenVerificationEnabled: false,
    botId: identity.botId,
    botUserId: identity.botUserId,
    // 429s are retried by the WebClient, honouring Retry-After (citebot's own messages go through the SlackOutbox).
    clientOptions: { slackApiUrl: s.SLACK_API_URL, logger: boltLogger, rejectRateLimitedCalls: false },
  });
  const context: SlackContext = {
    core,
    outbox: new SlackOutbox({ token: s.SLACK_BOT_TOKEN, slackApiUrl: s.SLACK_API_URL, logger: boltLogger }),
    botUserId: identity.botUserId,
    threads: new ThreadRegistry(core),
    follower: new ConversationFollower(core),
    workspaceUrl: identity.url,
    features: new WorkspaceFeatures(),
  };
  app.use(dropRedeliveries(core));
  registerAskCommand(app, context);
  registerConversationListeners(app, context);
  registerIngest(app, context);
  registerSourcesCommand(app, context);
  registerForgetCommand(app, context);
  registerFeedbackAction(app, context);
  registerHomeTab(app, context);
  registerIndexShortcut(app, context);
  registerMessageSync(app, context);
  app.error(async (error) => log.error(`slack listener failed: ${error.message}`));
  return { app, context };
}

/** Starts the Slack adapter: checks the token (auth.test), then listens in Socket Mode or on SLACK_PORT. */
export async function startSlackBot(core: CitebotCore): Promise<SlackBot> {
  const mode = slackMode(core);
  if (!mode)
    throw new Error('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).');
  const apiUrl = core.settings.SLACK_API_URL;
  const probe = new App({
    token: core.settings.SLACK_BOT_TOKEN,
    signingSecret: 'unused',
    tokenVerificationEnabled: false,
    logger: probeLogger,
    // One attempt: the adapter runner retries an unreachable Slack itself, with one line per attempt,
    // and a rejected token is not retried at all.
    clientOptions: { slackApiUrl: apiUrl, logger: probeLogger, retryConfig: { retries: 0 }, timeout: 10_000 },
  });
  const identity = await probe.client.auth.test().catch((error: unknown) => {
    throw slackError(error, apiUrl);
  });
  if (!identity.user_id || !identity.bot_id)
    throw new CitebotError('platform_rejected', 'auth.test did not return a bot user for SLACK_BOT_TOKEN', {
      fix: 'use the Bot User OAuth Token (xoxb-…) from the app\'s "OAuth & Permissions" page',
      retryable: false,
    });
  const { app, context } = createSlackAdapter(core, { botUserId: identity.user_id, botId: identity.bot_id, url: identity.url }, mode);
  const port = mode === 'http' ? core.settings.SLACK_PORT : undefined;
  await (port !== undefined ? app.start(port) : app.start()).catch((error: unknown) => {
    // Socket Mode opens its connection with the app token; a port in use (HTTP mode) is not Slack's answer.
    const fromSlack = String((error as { code?: unknown }).code ?? '').startsWith('slack_') || isConnectionError(error);
    throw fromSlack ? slackError(error, apiUrl, mode === 'socket' ? 'SLACK_APP_TOKEN' : 'SLACK_BOT_TOKEN') : error;
  });
  log.info(
    `slack: connected to ${identity.team ?? identity.team_id} as ${identity.user ?? identity.user_id} (${mode === 'socket' ? 'Socket Mode' : `HTTP on port ${port}, /slack/events`})`,
  );
  // What was said while citebot was away: read from each followed channel's cursor.
  const catchUp = catchUpConversations(context, app.client, identity.team_id ?? '').catch((error: unknown) =>
    log.warn(`slack: conversation catch-up failed: ${oneLine(error)}`),
  );
  return {
    app,
    mode,
    port,
    catchUp,
    stop: async () => {
      await app.stop();
      await catchUp;
      await context.follower?.close();
    },
  };
}
