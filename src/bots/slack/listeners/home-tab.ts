import type { App } from '@slack/bolt';
import { DEFAULT_LANGUAGE } from '../../../messages/index.js';
import { homeView } from '../home-tab.js';
import type { SlackContext } from '../slack-context.js';
import { isWorkspaceAdmin } from './forget-command.js';

/** Opening citebot's Home tab publishes it for that person (admins see the feedback too). */
export function registerHomeTab(app: App, context: SlackContext): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const admin = await isWorkspaceAdmin(client, event.user).catch(() => false);
    const view = await homeView(context.core, body.team_id, admin, DEFAULT_LANGUAGE);
    await client.views.publish({ user_id: event.user, view });
  });
}
