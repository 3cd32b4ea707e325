/**
 * Child process of bench/discord.ts: citebot with its Discord adapter (startDiscordBot: the real
 * discord.js client, logged in to DISCORD_API_URL), run by bench/chat-bench-runner.ts. Besides the
 * chain runs it records, per burst, when each mention reached the client (MESSAGE_CREATE), every
 * time discord.js held a request back for a rate limit, and the event loop's delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Events, RESTEvents } from 'discord.js';
import { withoutMention } from '../src/bots/common/chat-text.js';
import { startDiscordBot } from '../src/bots/discord/discord-bot.js';
import type { BurstReport } from './chat-bench-protocol.js';
import { epoch, runChatBench } from './chat-bench-runner.js';

/** A request discord.js held back (its `rateLimited` event), and for how long. */
export interface HeldBack {
  at: number;
  global: boolean;
  route: string;
  method: string;
  waitMs: number;
}

export interface DiscordBurstReport extends BurstReport {
  /** Epoch milliseconds at which each mention reached the client, keyed by its question. */
  received: Record<string, number>;
  heldBack: HeldBack[];
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number };
}

await runChatBench(async (core) => {
  const bot = await startDiscordBot(core);
  const { client } = bot;
  // Keyed by the question as citebot reads it.
  const received: Record<string, number> = {};
  client.on(Events.MessageCreate, (message) => {
    if (!message.author.bot && message.mentions.users.has(client.user.id))
      received[withoutMention(message.content, client.user.id)] = epoch();
  });
  const heldBack: HeldBack[] = [];
  client.rest.on(RESTEvents.RateLimited, (info) =>
    heldBack.push({ at: epoch(), global: info.global, route: info.route, method: info.method, waitMs: info.timeToReset }),
  );
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return {
    ready: { botId: client.user.id, guilds: client.guilds.cache.size },
    mark: () => {
      heldBack.length = 0;
      for (const key of Object.keys(received)) delete received[key];
      loop.reset();
    },
    report: (): Omit<DiscordBurstReport, keyof BurstReport> => ({
      received,
      heldBack,
      eventLoop: { p50Ms: loop.percentile(50) / 1e6, p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 },
    }),
    stop: async () => {
      loop.disable();
      await bot.stop();
    },
  };
});
