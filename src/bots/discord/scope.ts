/**
 * The scope of a Discord conversation. A thread belongs to its parent channel: files shared in
 * #design are asked about in #design's threads. DMs have no guild: `discord:dm:<channel>`.
 */
export function discordScope(guildId: string | null | undefined, channelId: string): string {
  return `discord:${guildId ?? 'dm'}:${channelId}`;
}
