import type { types } from '@slack/bolt';
import { listFeedback } from '../../app/feedback.js';
import { scopesInUse } from '../../app/scopes.js';
import type { CitebotCore } from '../../core.js';
import { messages, type Language } from '../../messages/index.js';
import type { FeedbackEntry } from '../../store/ports.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** How many of the latest 👎 an admin sees. */
const LAST_DOWN = 5;
/** A section's text limit. */
const SECTION_LIMIT = 3000;

const section = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SECTION_LIMIT) } });
const channelOf = (scope: string) => `<#${scope.split(':')[2]}>`;

function downLine(e: FeedbackEntry): string {
  const reason = e.reason ? ` — ${e.reason.kind}${e.reason.text ? `: ${escapeMrkdwn(e.reason.text)}` : ''}` : '';
  return `• ${channelOf(e.answer.scope)} “${escapeMrkdwn(e.answer.question.slice(0, 200))}”${reason}`;
}

/**
 * citebot's Home tab: how to ask and the workspace's channels with indexed files, for anyone; for
 * workspace admins also each channel's 👍/👎 and the latest 👎 with what went wrong.
 */
export async function homeView(core: CitebotCore, teamId: string, admin: boolean, language: Language): Promise<types.HomeView> {
  const t = messages(language).home;
  const scopes = (await scopesInUse(core)).filter((s) => s.startsWith(`slack:${teamId}:`));
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: t.title } },
    section(t.howToAsk),
    section(scopes.length ? t.channels(scopes.map(channelOf).join(', ')) : t.noChannels),
  ];
  if (admin) {
    const feedback = scopes.length ? await listFeedback(core, { scopes, limit: 1000 }) : [];
    blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: t.feedbackHeading } });
    if (!feedback.length) blocks.push(section(t.noFeedback));
    else {
      const votes = scopes
        .map((scope) => {
          const here = feedback.filter((e) => e.answer.scope === scope);
          return { scope, up: here.filter((e) => e.rating === 'up').length, down: here.filter((e) => e.rating === 'down').length };
        })
        .filter((v) => v.up + v.down > 0);
      blocks.push(section(votes.map((v) => t.channelVotes(channelOf(v.scope), v.up, v.down)).join('\n')));
      const downs = feedback.filter((e) => e.rating === 'down').slice(0, LAST_DOWN);
      if (downs.length) blocks.push(section(`*${t.lastDown}*\n${downs.map(downLine).join('\n')}`));
    }
  }
  return { type: 'home', blocks };
}
