/**
 * One run of the conversations benchmark (bench/conversations.ts starts it, measuring its peak RSS):
 * a Slack channel of BENCH_CONV_THREADS threads of 10 messages each on the Slack double, a citebot
 * (core + the real Bolt HTTP receiver) and the Ollama double, all in this process, so the peak RSS
 * reported is an upper bound for citebot's own. Prints one JSON line of measurements.
 */
import { loadSettings } from '../src/config.js';
import { ask } from '../src/app/ask.js';
import { startSlackBot } from '../src/bots/slack/slack-bot.js';
import { CitebotCore } from '../src/core.js';
import { OllamaDouble } from '../test/doubles/ollama-double.js';
import { SlackDouble } from '../test/doubles/slack-double.js';
import { freePort } from '../test/support/free-port.js';
import { eventCallback, slashCommand } from '../test/support/slack-requests.js';

const THREADS = Number(process.env.BENCH_CONV_THREADS ?? 2000);
const PER_THREAD = 10;
const SECRET = 'bench-secret';
const TEAM = 'T0BENCH';
const CHANNEL = 'CBENCH';

const slack = await SlackDouble.start({ teamId: TEAM });
slack.addChannel({ id: CHANNEL, name: 'bench' });
for (let u = 0; u < 20; u++) slack.addUser({ id: `U${u}`, name: `person${u}` });
// Spread over the last 300 days, inside SLACK_HISTORY_DAYS.
const start = Math.floor(Date.now() / 1000) - 300 * 86_400;
const seeded: { user: string; text: string; ts: string; threadTs?: string }[] = [];
const ts = (thread: number, i: number) => `${start + thread * 12_000 + i * 60}.000100`;
for (let t = 0; t < THREADS; t++) {
  const root = ts(t, 0);
  for (let i = 0; i < PER_THREAD; i++) {
    const text =
      t === Math.floor(THREADS / 2) && i === 5
        ? 'The zebra quota for the harbour project is 11 units.'
        : `Thread ${t} message ${i}: discussing release ${t % 97} and component ${(t * 7 + i) % 53} with the team.`;
    seeded.push({ user: `U${(t + i) % 20}`, text, ts: ts(t, i), ...(i > 0 && { threadTs: root }) });
  }
}
slack.seedMessages(CHANNEL, seeded);
// Slack's tiers, scaled to seconds so the run ends: history 20/s, replies 100/s; beyond that HTTP 429 + Retry-After.
slack.limitRate('conversations.history', { calls: 20, perMs: 1000 });
slack.limitRate('conversations.replies', { calls: 100, perMs: 1000 });

const ollama = await OllamaDouble.start();
const port = await freePort();
const settings = loadSettings({
  env: {
    ...process.env,
    OLLAMA_BASE_URL: ollama.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PORT: String(port),
    RERANKER: 'none',
    LOG_LEVEL: 'error',
    HEALTH_PORT: '0',
  },
  dotenvDir: false,
});
const core = new CitebotCore(settings);
const bot = await startSlackBot(core);
const url = `http://127.0.0.1:${port}/slack/events`;
const scope = `slack:${TEAM}:${CHANNEL}`;

async function ingestRun(): Promise<{
  ms: number;
  historyCalls: number;
  repliesCalls: number;
  rateLimited: number;
  textsEmbedded: number;
  text: string;
}> {
  const before = slack.calls.length;
  const embedded = ollama.stats.textsEmbedded;
  const started = performance.now();
  await slashCommand(url, SECRET, {
    command: '/ingest',
    text: '',
    team_id: TEAM,
    channel_id: CHANNEL,
    user_id: 'U1',
    response_url: slack.responseUrl(),
  });
  const done = await slack.waitFor(
    (c) => slack.calls.indexOf(c) >= before && c.method === 'chat.update' && /\nConversation(:| not)|could not/.test(String(c.args.text)),
    1_800_000,
  );
  const ms = performance.now() - started;
  const calls = slack.calls.slice(before);
  return {
    ms,
    historyCalls: calls.filter((c) => c.method === 'conversations.history').length,
    repliesCalls: calls.filter((c) => c.method === 'conversations.replies').length,
    rateLimited: calls.filter((c) => c.status === 429).length,
    textsEmbedded: ollama.stats.textsEmbedded - embedded,
    text: String(done.args.text),
  };
}

async function sources(question: string): Promise<string[]> {
  for await (const e of ask(core, { question, scope }))
    if (e.type === 'answer') return [...e.answer.citations, ...e.answer.alsoRelevant].map((c) => c.snippet);
  return [];
}

const first = await ingestRun();
const rerun = await ingestRun();
const target = slack.messages(CHANNEL).find((m) => m.text.includes('zebra quota'))!;
const question = 'What is the zebra quota for the harbour project?';
const beforeEdit = await sources(question);
const editedAt = performance.now();
await eventCallback(url, SECRET, {
  team_id: TEAM,
  event: slack.editUserMessage(CHANNEL, target.ts, 'The zebra quota for the harbour project is 17 units.'),
  botUserId: slack.botUserId,
});
let lagMs = Number.NaN;
for (let i = 0; i < 600; i++) {
  const now = await sources(question);
  if (now.some((s) => s.includes('17 units')) && !now.some((s) => s.includes('11 units'))) {
    lagMs = performance.now() - editedAt;
    break;
  }
  await new Promise((r) => setTimeout(r, 50));
}
const chunks = await core.index.chunkCount([scope]);
const documents = (await core.index.documents([scope])).length;
await bot.stop();
await core.close();
await ollama.close();
await slack.close();
console.log(
  JSON.stringify({
    threads: THREADS,
    messages: seeded.length,
    chunks,
    documents,
    first,
    rerun,
    foundBeforeEdit: beforeEdit.some((s) => s.includes('11 units')),
    lagMs,
    syncDelayMs: settings.MESSAGE_SYNC_DELAY_MS,
  }),
);
