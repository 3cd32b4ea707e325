import { DiscordAPIError, HTTPError } from 'discord.js';
import { CitebotError, connectionReason, isConnectionError, oneLine } from '../../errors.js';

const COPY_TOKEN = 'copy the bot token from the Developer Portal (Bot → Reset Token) into DISCORD_TOKEN';

/**
 * What a failed Discord call means: the token rejected (401: one line with the fix, never retried:
 * platform_rejected) or Discord out of reach or failing (platform_unavailable: a later try can work;
 * the reason reads after "Discord is" or "Discord: not started").
 */
export function discordError(error: unknown, apiUrl: string): CitebotError {
  if (error instanceof CitebotError) return error;
  const status = error instanceof DiscordAPIError || error instanceof HTTPError ? error.status : undefined;
  const tokenInvalid = /invalid token|TokenInvalid/iu.test(`${String((error as { code?: unknown })?.code)} ${oneLine(error)}`);
  if (status === 401 || tokenInvalid)
    return new CitebotError('platform_rejected', 'Discord rejected DISCORD_TOKEN (401 Unauthorized)', {
      fix: COPY_TOKEN,
      retryable: false,
      cause: error,
    });
  if (status === 403)
    return new CitebotError('platform_rejected', `Discord refused the request (403: ${oneLine(error)})`, {
      fix: 'invite the bot with the applications.commands and bot scopes (README: "Discord")',
      retryable: false,
      cause: error,
    });
  if (isConnectionError(error))
    return new CitebotError('platform_unavailable', `unreachable: ${connectionReason(error)} at ${apiUrl}`, { cause: error });
  return new CitebotError('platform_unavailable', `failing: ${oneLine(error)}`, { cause: error });
}
