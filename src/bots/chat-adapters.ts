import type { CitebotCore } from '../core.js';
import { isCitebotError, oneLine } from '../errors.js';
import { log } from '../log.js';
import { RoleClaim } from '../store/role-claim.js';
import { startDiscordBot } from './discord/discord-bot.js';
import { slackMode, startSlackBot } from './slack/slack-bot.js';

/** A running chat adapter. */
export interface RunningAdapter {
  name: string;
  stop(): Promise<void>;
  /** Settles when the adapter stopped by itself (it lost a role another replica took): it is started again. */
  ended?: Promise<unknown>;
}

/** A chat platform citebot can serve: whether the settings configure it, and how to start it. */
export interface ChatAdapter {
  name: string;
  /** Undefined when configured; otherwise the line saying what to set. */
  notConfigured(core: CitebotCore): string | undefined;
  start(core: CitebotCore): Promise<RunningAdapter>;
}

export const slackAdapter: ChatAdapter = {
  name: 'Slack',
  notConfigured: (core) => {
    if (slackMode(core)) return undefined;
    return core.settings.SLACK_BOT_TOKEN
      ? 'Slack: SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode). README: "Slack".'
      : 'Slack: not configured. Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode), or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode). README: "Slack".';
  },
  start: async (core) => {
    const bot = await startSlackBot(core);
    return { name: 'Slack', stop: bot.stop };
  },
};

/** Two gateway sessions on one shard both receive every event: one citebot process at a time holds it. */
export const DISCORD_GATEWAY_ROLE = 'discord gateway';

export const discordAdapter: ChatAdapter = {
  name: 'Discord',
  notConfigured: (core) => (core.settings.DISCORD_TOKEN ? undefined : 'Discord: not configured. Set DISCORD_TOKEN. README: "Discord".'),
  start: async (core) => {
    const gateway = new RoleClaim(DISCORD_GATEWAY_ROLE, core.state.leases, core.lease);
    await gateway.held();
    const bot = await startDiscordBot(core);
    let stopping!: () => void;
    const stopped = new Promise<void>((resolve) => (stopping = resolve));
    const ended = gateway.lost(stopped).then(async (lost) => {
      if (!lost) return;
      log.warn('discord: another citebot process holds the gateway now (this one froze past its lease); disconnecting');
      await bot.stop();
    });
    return {
      name: 'Discord',
      stop: async () => {
        stopping();
        await bot.stop();
      },
      ended,
    };
  },
};

export const CHAT_ADAPTERS: ChatAdapter[] = [slackAdapter, discordAdapter];

/**
 * Starts every configured adapter. One that cannot start (platform unreachable, token rejected) is
 * retried in the background with backoff and never stops the others or the process.
 */
export function startChatAdapters(
  core: CitebotCore,
  adapters: ChatAdapter[] = CHAT_ADAPTERS,
  retryMs = 15_000,
): { running: RunningAdapter[]; stop(): Promise<void> } {
  const running: RunningAdapter[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  for (const adapter of adapters) {
    const note = adapter.notConfigured(core);
    if (note) {
      log.info(note);
      continue;
    }
    let delay = retryMs;
    const attempt = async () => {
      try {
        const started = await adapter.start(core);
        if (stopped) return void (await started.stop());
        running.push(started);
        void started.ended?.then(() => {
          if (stopped) return;
          running.splice(running.indexOf(started), 1);
          void attempt();
        });
      } catch (error) {
        // A setup problem (a portal switch, a rejected token) needs the operator: say it once, no retry loop.
        if (isCitebotError(error) && !error.retryable) return void log.error(`${adapter.name}: not started: ${oneLine(error)}`);
        if (stopped) return;
        log.warn(`${adapter.name}: not started (${oneLine(error)}), retrying in ${Math.round(delay / 1000)} s`);
        const timer = setTimeout(() => {
          timers.delete(timer);
          void attempt();
        }, delay);
        timers.add(timer);
        delay = Math.min(delay * 2, 5 * 60_000);
      }
    };
    void attempt();
  }
  return {
    running,
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled(running.map((a) => a.stop()));
    },
  };
}
