/**
 * The Slack adapter under load (issue 4): 50 signed `/ask` slash commands at once into the real Bolt
 * HTTP receiver of a citebot process (bench/slack-runner.ts), with the Slack double as the Web API and
 * the Ollama double taking about 2 s an answer. Per request: the HTTP acknowledgement, the placeholder
 * (chat.postMessage reaching the double), the final answer (the chat.update carrying the feedback
 * buttons), chat.update calls per answer; then the adapter's overhead per answer, which is the time
 * from sending the command to the final chat.update minus the time the answer chain itself spent on
 * that question (recorded inside the citebot process around `chain.stream`).
 *
 * The burst runs BENCH_SLACK_ROUNDS times (default 3) against the same citebot process, since one
 * burst on a shared 2-core machine says little about the next. `npx tsx bench/slack.ts`;
 * BENCH_SLACK_ASKS changes the number of commands, BENCH_SLACK_DUMP=<file> writes every request and
 * Web API call of every burst there as JSON.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { escapeMrkdwn } from '../src/bots/slack/mrkdwn.js';
import { SlackDouble, type SlackCall } from '../test/doubles/slack-double.js';
import { seedSlackWorkspace, SLACK_CHANNELS, startSlackCitebot } from './slack-bench-workspace.js';
import { slashCommand, type SlackPostResult } from '../test/support/slack-requests.js';
import { aroundChain, CHAT_MS, ChatBench, isPartialText, publishSection, TOKEN_MS } from './chat-bench.js';
import { burstQuestions, USER_NAMES as USERS } from './chat-bench-channels.js';
import type { ChainRun } from './chat-bench-protocol.js';
import { mean, mostInOneSecond, ms, pair, percentile, spread } from './stats.js';
import { fixed, machine, ROOT } from './support.js';

const ASKS = Number(process.env.BENCH_SLACK_ASKS ?? 50);
const ROUNDS = Number(process.env.BENCH_SLACK_ROUNDS ?? 3);
const SECRET = 'bench-signing-secret';
const TEAM = 'T0CITEBOT';

const CHANNELS = SLACK_CHANNELS;
type Channel = (typeof CHANNELS)[number];

interface Ask {
  question: string;
  channel: Channel;
  user: string;
  sentAt: number;
  ack?: SlackPostResult;
}

/** A Web API call as it reached the double, with when, and which message it posted or edited. */
interface Stamped {
  call: SlackCall;
  at: number;
  ts?: string;
}

/** Every section and context text of a message, joined. */
function blockText(args: Record<string, unknown>): string {
  const blocks = (args.blocks ?? []) as { text?: { text?: string }; elements?: { text?: unknown }[] }[];
  return blocks.map((b) => b.text?.text ?? (b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : '')).join(' ')).join('\n');
}
const isPartial = (args: Record<string, unknown>) => isPartialText(blockText(args));
const hasFeedback = (args: Record<string, unknown>) => JSON.stringify(args.blocks ?? []).includes('"citebot_feedback"');
const isMessageCall = (s: Stamped) => s.call.method === 'chat.postMessage' || s.call.method === 'chat.update';

/** The placeholder text the slash command's acknowledgement carried to the asker (ephemeral), if any. */
function ackedPlaceholder(ack: SlackPostResult): string | undefined {
  try {
    const body = JSON.parse(ack.body) as { response_type?: string; text?: string };
    return body.response_type === 'ephemeral' && body.text ? body.text : undefined;
  } catch {
    return undefined;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What one burst measured. */
interface Round {
  load: number;
  rows: Row[];
  posts: Stamped[];
  updates: Stamped[];
  authTests: number;
  failedCalls: number;
  /** Most chat.postMessage calls in one second in one channel. */
  peakPerChannel: number;
  modelMs: number[];
  baselineMs: number[];
  durationMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  rssReset: boolean;
  cpuSeconds: number;
}

interface Row {
  ask: Ask;
  ackMs: number;
  acked: boolean;
  /** The acknowledgement carrying the asker's placeholder. */
  placeholderMs?: number;
  /** The answer's message first in the channel (streamed or finished). */
  postedMs?: number;
  finalMs?: number;
  /** Final (non-partial) edits carrying this question's heading: 1 is right, 0 lost, more duplicated. */
  finals: number;
  updates: number;
  partials: number;
  buttons: boolean;
  chain?: ChainRun;
}

type TimedRow = Row & { finalMs: number; placeholderMs: number; chain: ChainRun };
const isTimed = (r: Row): r is TimedRow => r.finalMs !== undefined && r.placeholderMs !== undefined && r.chain !== undefined;
const timesOf = (r: TimedRow) => aroundChain(r.ask.sentAt, r.finalMs, r.chain);

export async function benchSlack(): Promise<void> {
  const bench = await ChatBench.open('slack', () => SlackDouble.start({ teamId: TEAM }));
  const { ollama, double: slack } = bench;
  try {
    seedSlackWorkspace(slack);

    // Stamp every Web API call as the double records it (synchronously after handling it, before the
    // reply): when it arrived, and the ts of the message it posted (the newest in the channel) or edited.
    const stamped: Stamped[] = [];
    const record = slack.calls.push.bind(slack.calls);
    slack.calls.push = (...calls: SlackCall[]) => {
      const at = performance.now();
      for (const call of calls) {
        const posted = call.method === 'chat.postMessage' && call.ok ? slack.messages(String(call.args.channel)).at(-1)?.ts : undefined;
        stamped.push({ call, at, ts: posted ?? (typeof call.args.ts === 'string' ? call.args.ts : undefined) });
      }
      return record(...calls);
    };

    const { citebot, url } = await startSlackCitebot(bench, SECRET);
    const command = (name: string, text: string, channel: Channel, user: string) =>
      slashCommand(url, SECRET, {
        command: name,
        text,
        team_id: TEAM,
        channel_id: channel.id,
        channel_name: channel.name,
        user_id: `U${user.toUpperCase()}`,
        user_name: user,
        response_url: slack.responseUrl(),
      });

    // Index each channel's files through /ingest, as a user would.
    const chunks = await bench.indexChannels(CHANNELS, async (c) => {
      await command('/ingest', '', c, USERS[0]!);
      const done = await slack.waitFor(
        (call) => call.method === 'chat.update' && call.args.channel === c.id && /^\d+ files?: /.test(String(call.args.text)),
        60_000,
      );
      return String(done.args.text);
    });
    bench.slowModel();

    const dump: unknown[] = [];

    /** One burst: every question at once, then wait for every answer, then the chain alone. */
    const burst = async (): Promise<Round> => {
      const marked = await citebot.mark();
      ollama.reset();
      const firstCall = stamped.length;
      const asks: Ask[] = burstQuestions(CHANNELS, USERS, ASKS).map((q) => ({ ...q, sentAt: 0 }));
      const load = loadavg()[0]!;
      const started = performance.now();
      await Promise.all(
        asks.map(async (ask) => {
          ask.sentAt = performance.now();
          // A refused connection counts as not acknowledged (status 0), not as a crash of the benchmark.
          ask.ack = await command('/ask', ask.question, ask.channel, ask.user).catch(() => ({
            status: 0,
            body: '',
            ms: performance.now() - ask.sentAt,
          }));
        }),
      );
      // The question a message answers: its heading ("*ana* asked: …", or 提问：… for a Chinese question) quotes it.
      const headings = asks.map((a) => ({ ask: a, quoted: escapeMrkdwn(a.question) })).sort((x, y) => y.quoted.length - x.quoted.length);
      const askOf = (args: Record<string, unknown>) => {
        const heading = blockText(args).split('\n')[0] ?? '';
        return headings.find((h) => heading.endsWith(h.quoted))?.ask;
      };
      // An answer ends as a chat.update of its streamed message, or as a chat.postMessage when it was posted
      // finished: the first state under the question's heading that is not streamed text (with sources and
      // 👍/👎, or "the files don't cover this").
      const isFinal = (s: Stamped) =>
        isMessageCall(s) && s.call.status !== 429 && !isPartial(s.call.args) && askOf(s.call.args) !== undefined;
      const finals = () => stamped.slice(firstCall).filter(isFinal);
      await waitUntil(() => finals().length >= ASKS, 90_000, `${ASKS} final answers`).catch((error: unknown) =>
        console.warn(`${String(error)} (got ${finals().length})`),
      );
      // A little longer, so that a duplicate or late edit would be seen.
      await new Promise((r) => setTimeout(r, 1500));
      const ended = Math.max(started, ...finals().map((s) => s.at));

      const { report, baseline } = await citebot.report();

      const calls = stamped.slice(firstCall);
      // A call the double rate-limited (429) changed nothing: the WebClient waits and sends it again.
      const posts = calls.filter((s) => s.call.method === 'chat.postMessage' && s.call.status !== 429);
      const updates = calls.filter((s) => s.call.method === 'chat.update' && s.call.status !== 429);
      const chainRuns = new Map(report.runs.map((r) => [r.question, r]));
      const rows: Row[] = asks.map((ask) => {
        const mine = calls.filter((s) => isFinal(s) && askOf(s.call.args) === ask);
        const ts = mine[0]?.ts;
        const here = (s: Stamped) => s.ts === ts && s.call.args.channel === ask.channel.id;
        const posted = posts.find(here);
        const edits = updates.filter(here);
        const placeholder = ackedPlaceholder(ask.ack!);
        return {
          ask,
          ackMs: ask.ack!.ms,
          acked: ask.ack!.status === 200,
          placeholderMs: placeholder ? ask.ack!.ms : undefined,
          postedMs: posted && posted.at - ask.sentAt,
          finalMs: mine[0] && mine[0].at - ask.sentAt,
          finals: mine.length,
          updates: edits.length,
          partials: edits.filter((s) => isPartial(s.call.args)).length,
          buttons: mine.some((s) => hasFeedback(s.call.args)),
          chain: chainRuns.get(ask.question),
        };
      });
      // Slack allows about one chat.postMessage per second per channel (short bursts tolerated).
      const peakPerChannel = Math.max(
        ...CHANNELS.map((c) => mostInOneSecond(posts.filter((s) => s.call.args.channel === c.id).map((s) => s.at))),
      );
      if (process.env.BENCH_SLACK_DUMP) {
        dump.push({
          origin: performance.timeOrigin + started,
          rows: rows.map((r) => ({ ...r, ask: { ...r.ask, channel: r.ask.channel.id, sentAt: r.ask.sentAt - started } })),
          calls: calls.map((s) => ({
            method: s.call.method,
            at: s.at - started,
            ts: s.ts,
            channel: s.call.args.channel,
            partial: s.call.method === 'chat.update' && isPartial(s.call.args),
            text: typeof s.call.args.text === 'string' ? s.call.args.text.slice(0, 120) : undefined,
          })),
          baseline,
        });
      }
      return {
        load,
        rows,
        posts,
        updates,
        authTests: calls.filter((s) => s.call.method === 'auth.test').length,
        failedCalls: calls.filter((s) => !s.call.ok).length,
        peakPerChannel,
        modelMs: bench.modelMs(),
        baselineMs: baseline.map((r) => r.ms),
        durationMs: ended - started,
        rssBeforeMb: marked.rssMb,
        peakRssMb: report.peakRssMb,
        rssReset: report.rssReset,
        cpuSeconds: report.cpuSeconds,
      };
    };

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await burst());
    await citebot.exit();
    if (process.env.BENCH_SLACK_DUMP) writeFileSync(process.env.BENCH_SLACK_DUMP, JSON.stringify(dump, null, 1));

    // ---------------------------------------------------------------------------------- the report
    const row = (label: string, value: (r: Round, timed: TimedRow[]) => string) =>
      `| ${label} | ${rounds.map((r) => value(r, r.rows.filter(isTimed))).join(' | ')} |`;
    const all = rounds.flatMap((r) => r.rows);
    const ackMax = Math.max(...all.map((r) => r.ackMs));
    const acked = all.filter((r) => r.acked).length;
    const good = (r: Round) => r.rows.filter((x) => x.finals === 1).length;
    const withSources = (r: Round) => r.rows.filter((x) => x.finals === 1 && x.buttons).length;
    const lost = (r: Round) => r.rows.filter((x) => x.finals === 0).length;
    const duplicated = (r: Round) => r.rows.filter((x) => x.finals > 1).length + Math.max(0, r.posts.length - ASKS);
    const delivered = rounds.reduce((n, r) => n + good(r), 0);
    const ackMet = ackMax < 3000 && acked === all.length;
    const answersMet = rounds.every((r) => good(r) === ASKS && duplicated(r) === 0);
    const placeholders = all.filter((r) => r.placeholderMs !== undefined && r.placeholderMs < 3000).length;
    const placeholdersMet = placeholders === all.length;
    const modelMs = mean(rounds.flatMap((r) => r.modelMs));
    const retrievalP50 = (r: Round) =>
      percentile(
        r.rows.filter(isTimed).map((x) => x.chain.timings.retrieveMs),
        0.5,
      );
    const coldRetrieval = rounds.length > 1 && retrievalP50(rounds[0]!) > 1.3 * mean(rounds.slice(1).map(retrievalP50));
    const warnings = citebot.warnings();
    const lines = [
      `Command: \`npm run bench\` (bench/slack.ts, citebot in bench/slack-runner.ts; alone: \`npx tsx bench/slack.ts\`): ${ROUNDS} bursts, one after the other, of ${ASKS} signed \`/ask\` slash commands sent at once (${ASKS} different questions from ${USERS.length} users in ${CHANNELS.length} channels) to the real Bolt HTTP receiver (\`startSlackBot\`, SLACK_PORT), with the Slack double as the Web API and the Ollama double answering in ${CHAT_MS} ms to the first token plus ${TOKEN_MS} ms a chunk of ~3 words (${ms(modelMs)} an answer on average). ` +
        `Each channel first indexed 2 test documents through \`/ingest\` (${chunks} chunks in all). RERANKER=none, STREAM_EDIT_INTERVAL_MS=1200 (the default), a fresh DATA_DIR and Chroma. citebot runs in its own process (under tsx); times are taken by the sender and the Slack double, which share a process and a clock. Machine: ${machine()}.`,
      '',
      `| measure | ${rounds.map((_, i) => `burst ${i + 1}`).join(' | ')} |`,
      `|---|${rounds.map(() => '---').join('|')}|`,
      row('1-minute load average of the machine at the start', (r) => fixed(r.load, 2)),
      row('acknowledged (HTTP 200)', (r) => `${r.rows.filter((x) => x.acked).length} / ${ASKS}`),
      row(
        '**ack time, max** (target < 3 s); p50, p95',
        (r) =>
          `**${ms(Math.max(...r.rows.map((x) => x.ackMs)))}**; ${ms(
            percentile(
              r.rows.map((x) => x.ackMs),
              0.5,
            ),
          )}, ${ms(
            percentile(
              r.rows.map((x) => x.ackMs),
              0.95,
            ),
          )}`,
      ),
      row(
        '**placeholder seen by the asker** (the ack, ephemeral; target < 3 s), p50 / **p95** / max; carried by',
        (r, t) =>
          `${spread(
            t.map((x) => x.placeholderMs),
            true,
          )}; ${r.rows.filter((x) => x.placeholderMs !== undefined).length} / ${ASKS} acks`,
      ),
      row('answer message first in the channel (chat.postMessage), p50 / p95 / max', (_, t) =>
        spread(t.filter((x) => x.postedMs !== undefined).map((x) => x.postedMs!)),
      ),
      row('final answer (the post or edit with the 👍/👎 buttons), p50 / p95 / max', (_, t) => spread(t.map((x) => x.finalMs))),
      row(
        `**answers delivered** (target ${ASKS}/${ASKS}); lost, duplicated`,
        (r) => `**${good(r)} / ${ASKS}** (${withSources(r)} with sources, the rest "not covered"); ${lost(r)}, ${duplicated(r)}`,
      ),
      row('first command sent → last answer', (r) => `${fixed(r.durationMs / 1000, 2)} s`),
      row('answer chain inside citebot, per question, p50 / p95 / max', (_, t) => spread(t.map((x) => timesOf(x).chainMs))),
      row('… of which retrieval, p50', (_, t) =>
        ms(
          percentile(
            t.map((x) => x.chain.timings.retrieveMs),
            0.5,
          ),
        ),
      ),
      row(`the same ${ASKS} questions through \`chain.invoke\` at once, no Slack, p50 / p95 / max`, (r) => spread(r.baselineMs)),
      row(
        '**adapter overhead per answer** (final answer − chain), p50 / p95 / max',
        (_, t) => `**${spread(t.map((x) => timesOf(x).overheadMs))}**`,
      ),
      row('… before the chain starts (request, signature, auth.test, ack, listener), p50 / p95', (_, t) =>
        pair(t.map((x) => timesOf(x).beforeMs)),
      ),
      row('… after the chain (edit in flight, saveAnswer, final chat.update), p50 / p95', (_, t) => pair(t.map((x) => timesOf(x).afterMs))),
      row(
        'chat.update calls per answer, mean (min–max)',
        (r) =>
          `${fixed(mean(r.rows.map((x) => x.updates)), 2)} (${Math.min(...r.rows.map((x) => x.updates))}–${Math.max(...r.rows.map((x) => x.updates))})`,
      ),
      row(
        '… streamed partial edits per answer / partial texts the chain yielded',
        (r, t) => `${fixed(mean(r.rows.map((x) => x.partials)), 2)} / ${fixed(mean(t.map((x) => x.chain.partials)), 1)}`,
      ),
      row(
        'Web API calls: chat.postMessage, chat.update, auth.test, failed',
        (r) => `${r.posts.length}, ${r.updates.length}, ${r.authTests}, ${r.failedCalls}`,
      ),
      row('most chat.postMessage in one second in one channel', (r) => String(r.peakPerChannel)),
      row('citebot CPU during the burst (user + sys)', (r) => `${fixed(r.cpuSeconds, 2)} s`),
      row(
        'citebot peak RSS during the burst (RSS before it)',
        (r) => `${fixed(r.peakRssMb, 0)} MB (${fixed(r.rssBeforeMb, 0)} MB)${r.rssReset ? '' : ', peak not reset'}`,
      ),
      '',
      `Targets: every request acknowledged in under 3 s — **${ackMet ? 'met' : 'not met'}** (${acked}/${all.length} acknowledged, slowest ${ms(ackMax)}); every asker sees a placeholder within 3 s — **${placeholdersMet ? 'met' : 'not met'}** (${placeholders}/${all.length}); answers ${ASKS}/${ASKS} in every burst, none lost, none duplicated — **${answersMet ? 'met' : 'not met'}** (${delivered}/${all.length}). citebot logged ${warnings.length} warnings or errors.`,
      '',
      'Reading it: the adapter overhead is, per question, the time from sending the signed command to the final post or edit reaching the double, minus the time the answer chain spent on that question (its `stream`, timed inside the citebot process from the call to the final answer). ' +
        "It is what a user waits for beyond the chain: Bolt's handling of the request (signature, the ack), the wait for the answer's turn to be posted in its channel, an edit still in flight, storing the answer and the final post or edit. " +
        'The chain-only row asks the same questions at once straight through the chain in the same process, for comparison. ' +
        "The Slack double enforces Slack's rate limits (test/doubles/slack-rate-limits.ts: chat.postMessage about one a second per channel after a burst of 4, chat.update 50 a minute after a burst of 50), answering 429 with Retry-After in whole seconds. " +
        "How citebot lives with them (src/bots/slack/message-outbox.ts): the asker's placeholder is the slash command's acknowledgement itself (ephemeral), so no Web API call stands between a question and its placeholder; each channel's posts go out one at a time, and a post's text is read when its turn comes, so an answer that finished while it waited is posted finished, with no edit; a 429 pauses only its own bucket for its Retry-After and the call is sent again until it lands, instead of the WebClient's pause-everything and ten exponentially spaced tries; and a message is posted before its answer is finished (to stream into it) only while chat.update has room for its final edit, so streamed edits are the first thing given up under load. " +
        `With ~${Math.ceil(ASKS / CHANNELS.length)} questions per channel at about one post a second, the last answers of a burst wait for their channel's turn: that wait, not citebot, is most of the final-answer spread. ` +
        "Bolt makes no auth.test call per request (the auth.test row): startSlackBot calls it once and hands Bolt the bot's ids. " +
        'The 2-core machine was shared with other work while this ran (the load row), which is most of the difference between bursts.' +
        (coldRetrieval
          ? ` The first burst after start is also the slowest in retrieval (p50 ${ms(retrievalP50(rounds[0]!))} against ${ms(mean(rounds.slice(1).map(retrievalP50)))} later): the first queries against the freshly written index.`
          : ''),
    ];
    publishSection('Slack adapter under load (issue 4)', lines, warnings);
  } finally {
    await bench.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(ROOT);
  await benchSlack();
}
