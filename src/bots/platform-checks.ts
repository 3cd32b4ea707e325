import { webApi } from '@slack/bolt';
import { REST, Routes } from 'discord.js';
import type { Settings } from '../config.js';
import { type CitebotError, type Check } from '../errors.js';
import { discordError } from './discord/discord-errors.js';
import { slackError } from './slack/slack-errors.js';

/** A doctor line for one chat platform (doctor names it). */
export type PlatformCheck = Omit<Check, 'name'>;

/** Slack: the bot token works (auth.test) and a receiver is configured. */
export async function checkSlack(s: Settings): Promise<PlatformCheck> {
  if (!s.SLACK_BOT_TOKEN)
    return { status: 'skipped', detail: 'not configured', fix: 'set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (README: "Slack")' };
  if (!s.SLACK_APP_TOKEN && !s.SLACK_SIGNING_SECRET) {
    return {
      status: 'failed',
      detail: 'SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET',
      fix: 'set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)',
    };
  }
  try {
    // doctor prints its own line for a failure: the client's warnings would repeat it.
    const client = new webApi.WebClient(s.SLACK_BOT_TOKEN, {
      slackApiUrl: s.SLACK_API_URL,
      retryConfig: { retries: 0 },
      timeout: 5000,
      logLevel: webApi.LogLevel.ERROR,
    });
    const identity = await client.auth.test();
    const mode = s.SLACK_APP_TOKEN ? 'Socket Mode' : `HTTP mode on port ${s.SLACK_PORT}`;
    return { status: 'ok', detail: `bot ${identity.user} in ${identity.team} (${mode})` };
  } catch (error) {
    return platformFailure(
      'Slack',
      slackError(error, s.SLACK_API_URL),
      'check the network (or SLACK_API_URL); `citebot serve` keeps retrying by itself',
    );
  }
}

/** Discord: the bot token works (GET /users/@me). The Message Content intent shows only at login (serve). */
export async function checkDiscord(s: Settings): Promise<PlatformCheck> {
  if (!s.DISCORD_TOKEN) return { status: 'skipped', detail: 'not configured', fix: 'set DISCORD_TOKEN (README: "Discord")' };
  try {
    const rest = new REST({ api: s.DISCORD_API_URL, timeout: 5000, retries: 0 }).setToken(s.DISCORD_TOKEN);
    const me = (await rest.get(Routes.user('@me'))) as { username: string; id: string };
    return { status: 'ok', detail: `bot ${me.username} (${me.id}); enable the Message Content intent in the Developer Portal` };
  } catch (error) {
    return platformFailure(
      'Discord',
      discordError(error, s.DISCORD_API_URL),
      'check the network (or DISCORD_API_URL); `citebot serve` keeps retrying by itself',
    );
  }
}

/** Rejected (the operator must change a token or a scope) and offline (wait, or fix the network) read differently. */
function platformFailure(platform: string, error: CitebotError, offlineFix: string): PlatformCheck {
  if (error.code === 'platform_rejected') return { status: 'failed', detail: error.reason, ...(error.fix ? { fix: error.fix } : {}) };
  return { status: 'failed', detail: `${platform} is ${error.reason}`, fix: offlineFix };
}
