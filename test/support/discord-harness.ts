import type { DiscordBot } from '../../src/bots/discord/discord-bot.js';
import type { DiscordDouble } from '../doubles/discord-double.js';
import type { TestCore } from './harness.js';

/** A Discord test's world: the double, a core, and the real discord.js bot connected to both. */
export interface DiscordHarness {
  discord: DiscordDouble;
  t: TestCore;
  bot: DiscordBot;
}

/** Stop the bot, then the core, then the double (the bot's last edits need both). */
export async function stopDiscordHarness(h: DiscordHarness | undefined): Promise<void> {
  if (!h) return;
  await h.bot.stop();
  await h.t.close();
  await h.discord.close();
}
