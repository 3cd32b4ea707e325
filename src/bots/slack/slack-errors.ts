import { CitebotError, connectionReason, isConnectionError, oneLine } from '../../errors.js';

/** Slack's answers to a token it will not take: nothing changes until the operator fixes the token or the app. */
const REJECTED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'not_allowed_token_type',
  'missing_scope',
  'ekm_access_denied',
  'team_access_not_granted',
  'two_factor_setup_required',
]);

const COPY_TOKEN = 'copy the Bot User OAuth Token (xoxb-…) from the app\'s "OAuth & Permissions" page into SLACK_BOT_TOKEN';

function fixFor(code: string, needed: string | undefined, token: string): string {
  if (code === 'missing_scope')
    return `add the bot scope${needed ? ` ${needed}` : ''} under "OAuth & Permissions" → Bot Token Scopes, reinstall the app, and copy the new token into ${token} (README: "Slack")`;
  if (code === 'account_inactive' || code === 'token_revoked' || code === 'token_expired')
    return `the app was uninstalled or its token revoked: reinstall it to the workspace and ${token === 'SLACK_BOT_TOKEN' ? COPY_TOKEN : `copy a new app-level token (xapp-…, scope connections:write) into ${token}`}`;
  if (code === 'not_allowed_token_type')
    return token === 'SLACK_BOT_TOKEN'
      ? `use the bot token (xoxb-…), not a user or app token: ${COPY_TOKEN}`
      : `${token} must be an app-level token (xapp-…)`;
  return token === 'SLACK_BOT_TOKEN'
    ? COPY_TOKEN
    : `create an app-level token with the connections:write scope ("Basic Information" → App-Level Tokens) and copy it into ${token}`;
}

/**
 * What a failed Slack Web API call means for starting the adapter or for doctor: a token Slack
 * rejects (one line with the fix, never retried: platform_rejected) or Slack out of reach or failing
 * (platform_unavailable: trying again later can work; the reason reads after "Slack is" or "Slack: not started").
 * `token` names the setting that was used.
 */
export function slackError(error: unknown, apiUrl: string, token: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN' = 'SLACK_BOT_TOKEN'): CitebotError {
  if (error instanceof CitebotError) return error;
  const e = error as { code?: unknown; data?: { error?: unknown; needed?: unknown }; statusCode?: unknown };
  const platformCode = typeof e?.data?.error === 'string' ? e.data.error : undefined;
  if (platformCode && REJECTED_TOKEN.has(platformCode)) {
    const needed = typeof e.data?.needed === 'string' ? e.data.needed : undefined;
    return new CitebotError('platform_rejected', `Slack rejected ${token} (${platformCode}${needed ? `, needs ${needed}` : ''})`, {
      fix: fixFor(platformCode, needed, token),
      retryable: false,
      cause: error,
    });
  }
  if (isConnectionError(error))
    return new CitebotError('platform_unavailable', `unreachable: ${connectionReason(error)} at ${apiUrl}`, { cause: error });
  if (e?.code === 'slack_webapi_http_error' || e?.code === 'slack_webapi_rate_limited_error')
    return new CitebotError('platform_unavailable', `failing: HTTP ${String(e.statusCode ?? 429)} at ${apiUrl}`, { cause: error });
  return new CitebotError('platform_unavailable', `failing: ${platformCode ?? oneLine(error)}`, { cause: error });
}
