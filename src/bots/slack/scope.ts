/** The scope of a Slack conversation: documents shared there are read by questions asked there. */
export function slackScope(teamId: string, channelId: string): string {
  return `slack:${teamId}:${channelId}`;
}
