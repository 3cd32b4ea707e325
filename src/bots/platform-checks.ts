import { webApi } from '@slack/bolt';
import { REST, Routes } from 'discord.js';
import type { Settings } from '../config.js';
import { oneLine, type Check } from '../errors.js';

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
    const client = new webApi.WebClient(s.SLACK_BOT_TOKEN, { slackApiUrl: s.SLACK_API_URL, retryConfig: { retries: 0 }, timeout: 5000 });
    const identity = await client.auth.test();
    const mode = s.SLACK_APP_TOKEN ? 'Socket Mode' : `HTTP mode on port ${s.SLACK_PORT}`;
    return { status: 'ok', detail: `bot ${identity.user} in ${identity.team} (${mode})` };
  } catch (error) {
    return {
      status: 'failed',
      detail: `Slack rejected the bot token or is unreachable: ${oneLine(error)}`,
      fix: 'copy the Bot User OAuth Token (xoxb-…) from the app\'s "OAuth & Permissions" page into SLACK_BOT_TOKEN',
    };
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
    return {
      status: 'failed',
      detail: `Discord rejected the token or is unreachable: ${oneLine(error)}`,
      fix: 'copy the bot token (Developer Portal → Bot → Reset Token) into DISCORD_TOKEN',
    };
  }
}
