/** The Slack double set up as the chat benchmarks' workspace: its channels (ids C<NAME>), users and shared files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlackDouble } from '../test/doubles/slack-double.js';
import { freePort } from '../test/support/free-port.js';
import type { ChatBench } from './chat-bench.js';
import { CHANNELS as BENCH_CHANNELS, DOCS, USER_NAMES as USERS } from './chat-bench-channels.js';

export const SLACK_CHANNELS = BENCH_CHANNELS.map((c) => ({ ...c, id: `C${c.name.toUpperCase()}` }));

export function seedSlackWorkspace(slack: SlackDouble): void {
  for (const c of SLACK_CHANNELS) slack.addChannel({ id: c.id, name: c.name });
  for (const name of USERS) slack.addUser({ id: `U${name.toUpperCase()}`, name });
  SLACK_CHANNELS.forEach((c, i) =>
    c.files.forEach((file, j) =>
      slack.addFile({
        id: `F${i}${j}`,
        name: file,
        channel: c.id,
        user: `U${USERS[j]!.toUpperCase()}`,
        bytes: readFileSync(join(DOCS, file)),
      }),
    ),
  );
}

/** citebot's Slack adapter (bench/slack-runner.ts) started against the double, in HTTP mode; its Request URL. */
export async function startSlackCitebot(bench: ChatBench<SlackDouble>, secret: string) {
  const slack = bench.double;
  const port = await freePort();
  const citebot = await bench.startCitebot('slack-runner.ts', {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PORT: String(port),
  });
  return { citebot, url: `http://127.0.0.1:${port}/slack/events` };
}
