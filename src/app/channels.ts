import type { CitebotCore } from '../core.js';
import type { Language } from '../messages/index.js';
import type { ChannelSettings } from '../store/ports.js';

/** The language replies in `scope` use when they answer no question: that of its last question. */
export async function channelLanguage(core: CitebotCore, scope: string): Promise<Language> {
  return (await core.state.channels.get(scope)).language;
}

/** A channel's switches (auto-ingest, Discord's file-scan cursor, language). */
export function channelSettings(core: CitebotCore, scope: string): Promise<ChannelSettings> {
  return core.state.channels.get(scope);
}

/** Change a channel's switches (`/ingest auto on`, the file-scan cursor). */
export function updateChannelSettings(
  core: CitebotCore,
  scope: string,
  change: Partial<Omit<ChannelSettings, 'scope'>>,
): Promise<ChannelSettings> {
  return core.state.channels.update(scope, change);
}

/** Channels of one platform workspace whose conversation is indexed ("slack:T1:"), to catch up after a restart. */
export function followedScopes(core: CitebotCore, prefix: string): Promise<string[]> {
  return core.state.messages.followedScopes(prefix);
}

/** The name a followed channel is cited by ("#general"), if it is followed. */
export async function followedChannelName(core: CitebotCore, scope: string): Promise<string | undefined> {
  return (await core.state.messages.channel(scope))?.name;
}

/** Threads citebot answered in, by the platform's thread key: a reply there is a follow-up. */
export function rememberAnsweredThread(core: CitebotCore, thread: string): Promise<void> {
  return core.state.threads.add(thread);
}

export function isAnsweredThread(core: CitebotCore, thread: string): Promise<boolean> {
  return core.state.threads.has(thread);
}
