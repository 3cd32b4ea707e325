/**
 * Native streaming against the edit path (issue 23): 50 `@citebot` mentions at once into the real Bolt
 * HTTP receiver of a citebot process (bench/slack-runner.ts), with the Slack double as the Web API
 * (Slack's rate limits on) and the Ollama double answering in 1500 ms to the first token plus 50 ms a
 * chunk. First burst: the double serves chat.startStream/appendStream/stopStream; then streaming is
 * switched off in the double (a workspace without the feature) and a second burst goes the edit path.
 * Per answer: the Web API calls its thread cost, the time from the mention to the first answer text a
 * reader sees (the stream's start, or the first post or edit showing answer text) and to the final
 * message (the one with the feedback buttons).
 *
 * `npx tsx bench/slack-streaming.ts`; BENCH_SLACK_ASKS changes the number of mentions.
 */
import { loadavg } from 'node:os';
import { SlackDouble, type SlackCall } from '../test/doubles/slack-double.js';
import { seedSlackWorkspace, SLACK_CHANNELS, startSlackCitebot } from './slack-bench-workspace.js';
import { eventCallback, slashCommand } from '../test/support/slack-requests.js';
import { ChatBench, publishSection } from './chat-bench.js';
import { burstQuestions, USER_NAMES as USERS } from './chat-bench-channels.js';
import { mean, spread } from './stats.js';
import { fixed, machine } from './support.js';

const ASKS = Number(process.env.BENCH_SLACK_ASKS ?? 50);
const SECRET = 'bench-signing-secret';
const TEAM = 'T0CITEBOT';
const CHANNELS = SLACK_CHANNELS;

interface Stamped {
  call: SlackCall;
  at: number;
  /** The message the call posted (its ts), for calls that create one. */
  created?: string;
}

interface Burst {
  mode: string;
  load: number;
  /** Per answer. */
  calls: number[];
  byMethod: Map<string, number>;
  firstTextMs: number[];
  finalMs: number[];
  delivered: number;
  withSources: number;
  rateLimited: number;
}

const hasFeedback = (args: Record<string, unknown>) => JSON.stringify(args.blocks ?? []).includes('"citebot_feedback"');
/** A post or edit showing answer text: streamed partial text ends in " …"; placeholders start "Searching". */
const showsAnswerText = (args: Record<string, unknown>) => {
  const text = String(args.text ?? '');
  return text !== '' && !/^Searching the files|^Thinking…/.test(text);
};

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export async function benchSlackStreaming(): Promise<void> {
  const bench = await ChatBench.open('slack-streaming', () => SlackDouble.start({ teamId: TEAM, streaming: true }));
  const { double: slack } = bench;
  try {
    seedSlackWorkspace(slack);
    const stamped: Stamped[] = [];
    const record = slack.calls.push.bind(slack.calls);
    slack.calls.push = (...calls: SlackCall[]) => {
      const at = performance.now();
      for (const call of calls) {
        const creates = (call.method === 'chat.postMessage' || call.method === 'chat.startStream') && call.ok;
        stamped.push({ call, at, created: creates ? slack.messages(String(call.args.channel)).at(-1)?.ts : undefined });
      }
      return record(...calls);
    };

    const { citebot, url } = await startSlackCitebot(bench, SECRET);
    await bench.indexChannels(CHANNELS, async (c) => {
      await slashCommand(url, SECRET, {
        command: '/ingest',
        text: 'files',
        team_id: TEAM,
        channel_id: c.id,
        channel_name: c.name,
        user_id: 'UANA',
        response_url: slack.responseUrl(),
      });
      const done = await slack.waitFor(
        (call) => call.method === 'chat.update' && call.args.channel === c.id && /^\d+ files?: /.test(String(call.args.text)),
        60_000,
      );
      return String(done.args.text);
    });
    bench.slowModel();

    const burst = async (mode: string): Promise<Burst> => {
      const first = stamped.length;
      const load = loadavg()[0]!;
      const asks = burstQuestions(CHANNELS, USERS, ASKS).map((q) => {
        const message = slack.postUserMessage(q.channel.id, {
          user: `U${q.user.toUpperCase()}`,
          text: `<@${slack.botUserId}> ${q.question}`,
        });
        return { ...q, ts: String(message.ts), text: String(message.text), sentAt: 0 };
      });
      await Promise.all(
        asks.map(async (a) => {
          a.sentAt = performance.now();
          const user = `U${a.user.toUpperCase()}`;
          const event = { type: 'app_mention', user, text: a.text, ts: a.ts, channel: a.channel.id, event_ts: a.ts };
          await eventCallback(url, SECRET, { team_id: TEAM, event, botUserId: slack.botUserId });
        }),
      );
      const calls = () => stamped.slice(first);
      // The thread's messages: created with thread_ts = the question; then edits, appends, stops by their ts.
      const messagesOf = (ts: string) =>
        new Set(
          calls()
            .filter((s) => s.created && s.call.args.thread_ts === ts)
            .map((s) => s.created!),
        );
      // An answer is final when its thread holds a bot message that is neither streaming, nor streamed
      // text (" …"), nor a placeholder: with sources and 👍/👎, or "the files don't cover this".
      const finished = (ts: string) =>
        slack
          .messages(String(asks.find((a) => a.ts === ts)!.channel.id))
          .some(
            (m) =>
              m.thread_ts === ts &&
              m.user === slack.botUserId &&
              m.streaming_state !== 'in_progress' &&
              !String(m.text).endsWith(' …') &&
              showsAnswerText({ text: m.text }),
          );
      const finalOf = (ts: string) => {
        if (!finished(ts)) return undefined;
        const own = messagesOf(ts);
        return calls()
          .filter(
            (s) => s.call.ok && (s.call.args.thread_ts === ts || own.has(String(s.call.args.ts))) && s.call.method.startsWith('chat.'),
          )
          .at(-1);
      };
      await waitUntil(() => asks.every((a) => finalOf(a.ts)), 180_000);
      await new Promise((r) => setTimeout(r, 1500));
      const perAnswer = asks.map((a) => {
        const own = messagesOf(a.ts);
        const mine = calls().filter(
          (s) =>
            s.call.args.thread_ts === a.ts ||
            s.call.args.timestamp === a.ts ||
            (typeof s.call.args.ts === 'string' && own.has(s.call.args.ts) && s.call.method !== 'chat.postMessage'),
        );
        const firstText = mine.find(
          (s) =>
            s.call.ok &&
            (s.call.method === 'chat.startStream' ||
              ((s.call.method === 'chat.postMessage' || s.call.method === 'chat.update') && showsAnswerText(s.call.args))),
        );
        const final = finalOf(a.ts);
        return { mine, firstTextMs: firstText && firstText.at - a.sentAt, finalMs: final && final.at - a.sentAt };
      });
      const byMethod = new Map<string, number>();
      for (const p of perAnswer) for (const s of p.mine) byMethod.set(s.call.method, (byMethod.get(s.call.method) ?? 0) + 1);
      return {
        mode,
        load,
        calls: perAnswer.map((p) => p.mine.length),
        byMethod,
        firstTextMs: perAnswer.flatMap((p) => (p.firstTextMs === undefined ? [] : [p.firstTextMs])),
        finalMs: perAnswer.flatMap((p) => (p.finalMs === undefined ? [] : [p.finalMs])),
        delivered: perAnswer.filter((p) => p.finalMs !== undefined).length,
        rateLimited: perAnswer.reduce((n, p) => n + p.mine.filter((s) => s.call.status === 429).length, 0),
        withSources: asks.filter((a) =>
          calls().some(
            (s) =>
              s.call.ok && hasFeedback(s.call.args) && (s.call.args.thread_ts === a.ts || messagesOf(a.ts).has(String(s.call.args.ts))),
          ),
        ).length,
      };
    };

    const streamed = await burst('streaming');
    // A workspace without the feature: citebot falls back (once, for the workspace) to editing a message.
    slack.setStreaming(false);
    const edited = await burst('edit path');
    await citebot.exit();

    const bursts = [streamed, edited];
    const methods = [...new Set(bursts.flatMap((b) => [...b.byMethod.keys()]))].sort();
    const row = (label: string, value: (b: Burst) => string) => `| ${label} | ${bursts.map(value).join(' | ')} |`;
    publishSection(
      'Slack native streaming against the edit path (issue 23)',
      [
        `Command: \`npx tsx bench/slack-streaming.ts\`: ${ASKS} \`@citebot\` mentions sent at once (${ASKS} different questions from 5 users in 3 channels, each a new message, so a new thread) as signed app_mention events to the real Bolt HTTP receiver of a citebot process (\`startSlackBot\`), with the Slack double as the Web API, Slack's rate limits on (test/doubles/slack-rate-limits.ts), and the Ollama double answering in 1500 ms to the first token plus 50 ms a chunk. First burst: the double serves chat.startStream/appendStream/stopStream; then streaming is switched off in the double (as in a workspace without the feature) and the second burst goes the edit path (its first answers find out, the workspace is then remembered as refusing). Each channel first indexed its 2 test documents through \`/ingest files\`. RERANKER=none, STREAM_EDIT_INTERVAL_MS=1200 (default). Machine: ${machine()}; other agents were using it (load row).`,
        '',
        `| measure | ${bursts.map((b) => b.mode).join(' | ')} |`,
        `|---|${bursts.map(() => '---').join('|')}|`,
        row('1-minute load average at the start', (b) => fixed(b.load, 2)),
        row('answers delivered (final message in the thread); with sources and 👍/👎', (b) => `${b.delivered} / ${ASKS}; ${b.withSources}`),
        row(
          '**Web API calls per answer**, mean (min–max)',
          (b) => `**${fixed(mean(b.calls), 1)}** (${Math.min(...b.calls)}–${Math.max(...b.calls)})`,
        ),
        ...methods.map((m) => row(`… ${m} per answer`, (b) => fixed((b.byMethod.get(m) ?? 0) / ASKS, 2))),
        row('… of which answered 429 (rate limited), in all', (b) => String(b.rateLimited)),
        row('**time to first visible answer text**, p50 / p95 / max', (b) => spread(b.firstTextMs, true)),
        row('… answers that showed text before their final message', (b) => `${b.firstTextMs.length} / ${ASKS}`),
        row('time to the final message (its last post, edit or stop), p50 / p95 / max', (b) => spread(b.finalMs)),
        '',
        "Reading it: calls are counted per answer by its thread (setStatus, reactions.add and every post, edit, start, append and stop of the answer's messages), 429s included. The double gives chat.startStream the same per-channel budget as chat.postMessage (a burst of 4, then one a second) and each stream 100 appends or stops a minute: an assumption, since Slack lists the stream methods' limits as special without numbers. A start refused with 429 is not waited for: that answer goes the edit path (the outbox's per-channel queue), so the streaming column mixes streamed answers (one chat.stopStream each) with answers that fell back. With about 17 questions per channel and one message a second per channel, most answers are finished before their turn to post comes, and are then posted finished (first visible text = final message); a streamed answer costs start + stop + one chat.update, none of them against chat.update's 50 a minute while it grows. setStatus in the edit-path column is the answers that began before citebot learned that the workspace refuses streaming.",
      ],
      [],
    );
  } finally {
    await bench.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSlackStreaming();
