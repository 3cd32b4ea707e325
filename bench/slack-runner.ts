/**
 * Child process of bench/slack.ts: citebot with its Slack adapter (startSlackBot, the Bolt HTTP
 * receiver on SLACK_PORT), run by bench/chat-bench-runner.ts.
 */
import { startSlackBot } from '../src/bots/slack/slack-bot.js';
import { runChatBench } from './chat-bench-runner.js';

await runChatBench(async (core) => {
  const bot = await startSlackBot(core);
  return { ready: { port: bot.port }, stop: () => bot.stop() };
});
