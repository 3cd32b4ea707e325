/**
 * The Discord adapter under load (issue 5): 50 `@citebot <question>` mentions posted at once in three
 * channels of a guild on the Discord double, answered by a citebot process (bench/discord-runner.ts:
 * the real discord.js client through startDiscordBot, REST and gateway on the double) with the Ollama
 * double taking about 2 s an answer. Per mention: the placeholder reply (its POST reaching the
 * double), the final edit (the PATCH carrying the `-# [1]` source lines), edits per answer, exactly one
 * answer each; then the adapter's overhead per answer, which is the time from posting the mention to
 * the final edit minus the time the answer chain itself spent on that question (recorded inside the
 * citebot process around `chain.stream`), and, for comparison, the same questions straight through
 * the chain at once.
 *
 * `npx tsx bench/discord.ts`; BENCH_DISCORD_MENTIONS changes the number of mentions,
 * BENCH_DISCORD_DUMP=<file> writes every mention and REST request of the burst there as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { APIMessage } from 'discord-api-types/v10';
import { DiscordDouble, type DiscordRequest } from '../test/doubles/discord-double.js';
import { aroundChain, CHAT_MS, ChatBench, epochOf, isPartialText, publishSection, TOKEN_MS } from './chat-bench.js';
import { burstQuestions, CHANNELS as BENCH_CHANNELS, DOCS, USER_NAMES } from './chat-bench-channels.js';
import type { BaselineRun, ChainRun } from './chat-bench-protocol.js';
import type { DiscordBurstReport } from './discord-runner.js';
import { mean, mostInOneSecond, ms, pair, percentile, spread } from './stats.js';
import { fixed, machine, ROOT } from './support.js';

const MENTIONS = Number(process.env.BENCH_DISCORD_MENTIONS ?? 50);
const GUILD = '1300000000000000001';

// Snowflake-shaped ids, as discord.js expects.
const CHANNELS = BENCH_CHANNELS.map((c, i) => ({ ...c, id: `13000000000000000${11 + i}` }));
type Channel = (typeof CHANNELS)[number];
const USERS = USER_NAMES.map((username, i) => ({ id: `13000000000000001${String(i + 10)}`, username }));

interface Mention {
  question: string;
  channel: Channel;
  user: (typeof USERS)[number];
  sentAt: number;
  messageId: string;
}

const contentOf = (r: DiscordRequest) => String((r.body as { content?: unknown } | undefined)?.content ?? '');
const hasSources = (content: string) => /^-# \[1\] /m.test(content);
/** An answer's final text: not streamed text, not the "Searching…" placeholder. */
const isFinalText = (content: string) => content !== '' && !isPartialText(content) && !/^Searching the files shared in /.test(content);

export async function benchDiscord(): Promise<void> {
  const bench = await ChatBench.open('discord', () => DiscordDouble.start());
  const { ollama, double: discord } = bench;
  try {
    discord.addGuild({ id: GUILD, name: 'Docs team', channels: CHANNELS.map((c) => ({ id: c.id, name: c.name })), members: USERS });
    CHANNELS.forEach((c, i) =>
      discord.sendMessage({
        channelId: c.id,
        guildId: GUILD,
        author: USERS[i]!,
        content: `notes for #${c.name}`,
        attachments: c.files.map((filename) => ({ filename, bytes: readFileSync(join(DOCS, filename)) })),
      }),
    );

    // Stamp every REST request as the double records it (after reading its body, before handling it).
    const stamps = new Map<DiscordRequest, number>();
    const record = discord.requests.push.bind(discord.requests);
    discord.requests.push = (...requests: DiscordRequest[]) => {
      const at = performance.now();
      for (const r of requests) stamps.set(r, at);
      return record(...requests);
    };

    const citebot = await bench.startCitebot('discord-runner.ts', { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });

    // Index each channel's attachments through /ingest, as a user would.
    const chunks = await bench.indexChannels(CHANNELS, (c) => {
      const { id } = discord.sendInteraction({ name: 'ingest', channelId: c.id, guildId: GUILD, user: USERS[0]! });
      return discord.waitFor(() => {
        const content = discord.interactionMessages(id).original?.content ?? '';
        return /^\d+ files?: |^No new attachments|^No files to index/.test(content) && content;
      }, 60_000);
    });

    // The burst.
    const marked = await citebot.mark();
    bench.slowModel();
    ollama.reset();
    const firstRequest = discord.requests.length;
    const mentions: Mention[] = burstQuestions(CHANNELS, USERS, MENTIONS).map((q) => ({ ...q, sentAt: 0, messageId: '' }));
    const load = loadavg()[0]!;
    const burstStarted = performance.now();
    // All at once: the double dispatches each MESSAGE_CREATE on the gateway as it is posted.
    for (const m of mentions) {
      m.sentAt = performance.now();
      m.messageId = discord.sendMessage({
        channelId: m.channel.id,
        guildId: GUILD,
        author: m.user,
        content: m.question,
        mentionsBot: true,
      }).id;
    }
    const burst = () => discord.requests.slice(firstRequest);
    const replyTo = new Map(mentions.map((m) => [m.messageId, m]));
    // A reply ends as an edit of the streamed reply, or as the reply itself when it was posted finished.
    const finalEdits = () =>
      burst().filter(
        (r) =>
          (r.method === 'PATCH' || r.method === 'POST') &&
          /^\/channels\/\d+\/messages/.test(r.path) &&
          r.status !== undefined &&
          r.status !== 429 &&
          isFinalText(contentOf(r)),
      );
    await discord
      .waitFor(() => finalEdits().length >= MENTIONS, 90_000)
      .catch(() => console.warn(`timed out waiting for ${MENTIONS} final answers (got ${finalEdits().length})`));
    // A little longer, so that a duplicate or late edit would be seen.
    await new Promise((r) => setTimeout(r, 1500));

    const { report, baseline } = await citebot.report<DiscordBurstReport>();
    await citebot.exit();

    // ---------------------------------------------------------------------------------- analysis
    const requests = burst();
    const at = (r: DiscordRequest) => stamps.get(r)!;
    // A request the double rate-limited (429) changed nothing: discord.js waits and sends it again.
    const messagePosts = requests.filter((r) => r.method === 'POST' && r.status !== 429 && /^\/channels\/\d+\/messages$/.test(r.path));
    const placeholders = messagePosts.filter((r) =>
      replyTo.has(String((r.body as { message_reference?: { message_id?: string } }).message_reference?.message_id)),
    );
    const appended = messagePosts.length - placeholders.length;
    const typing = requests.filter((r) => r.method === 'POST' && /\/typing$/.test(r.path));
    const edits = requests.filter((r) => r.method === 'PATCH' && r.status !== 429 && /^\/channels\/\d+\/messages\/\d+$/.test(r.path));
    const failed = requests.filter((r) => r.status !== undefined && r.status >= 400);
    // citebot's replies, as the double stores them: reply id → the mention it answers.
    const replies = new Map<string, { mention: Mention; message: APIMessage }>();
    for (const c of CHANNELS) {
      for (const message of discord.messages(c.id)) {
        const mention = replyTo.get(message.message_reference?.message_id ?? '');
        if (mention && message.author.id === discord.botId) replies.set(message.id, { mention, message });
      }
    }
    const mentionOfEdit = (r: DiscordRequest) => replies.get(r.path.split('/').at(-1)!)?.mention;

    interface Row {
      mention: Mention;
      placeholders: number;
      firstReplyMs?: number;
      /** The channel's "citebot is typing…" (shared by every mention there), first sent after this mention. */
      typingMs?: number;
      finalMs?: number;
      finals: number;
      partials: number;
      /** PATCHes of the reply (streamed and final). */
      edits: number;
      partialsAt: number[];
      sourced: boolean;
      stored: string;
      receivedMs?: number;
      chain?: ChainRun;
      baseline?: BaselineRun;
    }
    const chainRuns = new Map(report.runs.map((r) => [r.question, r]));
    const baselineRuns = new Map(baseline.map((r) => [r.question, r]));
    const rows: Row[] = mentions.map((mention) => {
      const mine = placeholders.filter(
        (r) => (r.body as { message_reference: { message_id: string } }).message_reference.message_id === mention.messageId,
      );
      const myEdits = edits.filter((r) => mentionOfEdit(r) === mention);
      const finals = [...mine, ...myEdits].filter((r) => isFinalText(contentOf(r)));
      const channelTyping = typing.find((r) => r.path === `/channels/${mention.channel.id}/typing` && at(r) >= mention.sentAt);
      const stored = [...replies.values()].filter((r) => r.mention === mention).map((r) => r.message.content);
      const received = report.received[mention.question];
      return {
        mention,
        placeholders: mine.length,
        firstReplyMs: mine[0] && at(mine[0]) - mention.sentAt,
        typingMs: channelTyping && at(channelTyping) - mention.sentAt,
        finalMs: finals[0] && at(finals[0]) - mention.sentAt,
        finals: finals.length,
        partials: myEdits.filter((r) => !isFinalText(contentOf(r))).length,
        edits: myEdits.length,
        partialsAt: myEdits.filter((r) => isPartialText(contentOf(r))).map((r) => epochOf(at(r))),
        sourced: finals.length === 1 && hasSources(contentOf(finals[0]!)) && stored.length === 1 && hasSources(stored[0]!),
        stored: stored.join('\n---\n'),
        receivedMs: received === undefined ? undefined : received - epochOf(mention.sentAt),
        chain: chainRuns.get(mention.question),
        baseline: baselineRuns.get(mention.question),
      };
    });
    const answered = rows.filter((r) => r.finals >= 1);
    const duplicated = rows.filter((r) => r.finals > 1 || r.placeholders > 1);
    const sourced = rows.filter((r) => r.sourced);
    const timed = rows.filter(
      (r): r is Row & { finalMs: number; firstReplyMs: number; chain: ChainRun } =>
        r.finalMs !== undefined && r.firstReplyMs !== undefined && r.chain !== undefined,
    );
    const firstReply = rows.flatMap((r) => (r.firstReplyMs === undefined ? [] : [r.firstReplyMs]));
    // A mention whose channel was already showing "typing" when it arrived sees it at once.
    const typingSeen = rows.map((r) => {
      const active = typing.some(
        (t) => t.path === `/channels/${r.mention.channel.id}/typing` && at(t) <= r.mention.sentAt && at(t) > r.mention.sentAt - 10_000,
      );
      return active ? 0 : r.typingMs;
    });
    const typingMs = typingSeen.flatMap((t) => (t === undefined ? [] : [t]));
    const finalMs = rows.flatMap((r) => (r.finalMs === undefined ? [] : [r.finalMs]));
    const around = timed.map((r) => aroundChain(r.mention.sentAt, r.finalMs, r.chain));
    const chainMs = around.map((a) => a.chainMs);
    const overhead = around.map((a) => a.overheadMs);
    const before = around.map((a) => a.beforeMs);
    const after = around.map((a) => a.afterMs);
    const gateway = rows.flatMap((r) => (r.receivedMs === undefined ? [] : [r.receivedMs]));
    const modelMs = bench.modelMs();
    const baselineMs = baseline.map((r) => r.ms);
    const lastFinal = Math.max(...timed.map((r) => r.mention.sentAt + r.finalMs));
    // discord.js keeps to Discord's global limit of 50 requests a second on its own.
    const peakPerSecond = mostInOneSecond(requests.map(at));
    // discord.js sends one POST /channels/:id/messages at a time per channel: the replies queue.
    const placeholderGaps = CHANNELS.flatMap((c) => {
      const sent = placeholders
        .filter((r) => r.path === `/channels/${c.id}/messages`)
        .map(at)
        .sort((a, b) => a - b);
      return sent.slice(1).map((t, i) => t - sent[i]!);
    });
    const inChannel = CHANNELS.map((c) =>
      rows.filter((r) => r.mention.channel === c && r.firstReplyMs !== undefined).map((r) => r.firstReplyMs!),
    );
    const firstInChannel = inChannel.map((v) => v[0]!);
    const lastInChannel = inChannel.map((v) => v.at(-1)!);
    const partialsAfterChain = timed.reduce((n, r) => n + r.partialsAt.filter((t) => t > r.chain.endedAt).length, 0);
    const held = report.heldBack;
    const heldGlobal = held.filter((h) => h.global);
    const heldRoutes = [...new Set(held.map((h) => `${h.method.toUpperCase()} ${h.route}`))];
    const warnings = citebot.warnings();

    const allAnswered =
      answered.length === MENTIONS && sourced.length === MENTIONS && duplicated.length === 0 && placeholders.length === MENTIONS;
    const lines = [
      `Command: \`npm run bench\` (bench/discord.ts, citebot in bench/discord-runner.ts; alone: \`npx tsx bench/discord.ts\`): ${MENTIONS} \`@citebot <question>\` mentions posted at once (${MENTIONS} different questions from ${USERS.length} users in ${CHANNELS.length} channels of one guild) on the Discord double, answered by the real discord.js client (\`startDiscordBot\`, REST and gateway on the double) with the Ollama double answering in ${CHAT_MS} ms to the first token plus ${TOKEN_MS} ms a chunk of ~3 words (mean ${ms(mean(modelMs))} an answer). Each channel first indexed 2 test documents, posted as attachments, through \`/ingest\` (${chunks} chunks). RERANKER=none, STREAM_EDIT_INTERVAL_MS=1200 (default), a fresh DATA_DIR and Chroma. citebot runs in its own process under tsx; times are measured by the Discord double (same process, same clock as the sender). Machine: ${machine()}; 1-minute load average ${fixed(load, 2)} when the burst started (other work on the machine shows in the times).`,
      '',
      '| measure | value |',
      '|---|---|',
      `| mention reaching citebot's client (gateway MESSAGE_CREATE), p50 / p95 / max | ${spread(gateway)} |`,
      `| **"citebot is typing…" seen in the mention's channel** (the typing POST at the double, or already showing), p50 / **p95** / max; mentions | ${spread(typingMs, true)}; ${typingMs.length} / ${MENTIONS} |`,
      `| first reply (its POST at the double: the "Searching…" placeholder, streamed text or the finished answer), p50 / p95 / max | ${spread(firstReply)} |`,
      `| final answer (the reply or edit with the \`-# [1]\` source lines) at the double, p50 / p95 / max | ${spread(finalMs)} |`,
      `| **answered** (target ${MENTIONS}/${MENTIONS}, exactly once) | **${sourced.length} / ${MENTIONS}** with sources; ${MENTIONS - answered.length} lost, ${duplicated.length} duplicated; ${placeholders.length} replies posted |`,
      `| whole burst, first mention posted → last answer | ${fixed((lastFinal - burstStarted) / 1000, 2)} s |`,
      `| answer chain inside citebot, per question, p50 / p95 / max | ${spread(chainMs)} (of which the model ≈ ${ms(mean(modelMs))}; retrieval p50 ${ms(
        percentile(
          timed.map((r) => r.chain.timings.retrieveMs),
          0.5,
        ),
      )}) |`,
      `| same ${baseline.length} questions through \`chain.invoke\` at once, no Discord, p50 / p95 / max | ${spread(baselineMs)} |`,
      `| **adapter overhead per answer** (final − chain), p50 / p95 / max | **${spread(overhead)}** |`,
      `| … before the chain (gateway, history), p50 / p95 | ${pair(before)} |`,
      `| … after the chain (edit in flight, saveAnswer, final edit), p50 / p95 | ${pair(after)} |`,
      `| final answer p50 / p95 minus the chain-only p50 / p95 | ${ms(percentile(finalMs, 0.5) - percentile(baselineMs, 0.5))} / ${ms(percentile(finalMs, 0.95) - percentile(baselineMs, 0.95))} |`,
      `| edits per answer, mean (min–max) | ${fixed(mean(rows.map((r) => r.edits)), 2)} (${Math.min(...rows.map((r) => r.edits))}–${Math.max(...rows.map((r) => r.edits))}): ${fixed(mean(rows.map((r) => r.partials)), 2)} streamed partials; ${rows.filter((r) => r.edits === 0 && r.finals === 1).length} replies posted finished, with no edit; the chain yielded ${fixed(mean(timed.map((r) => r.chain.partials)), 1)} partial texts per answer; ${partialsAfterChain} of the ${rows.reduce((n, r) => n + r.partials, 0)} partial edits reached the double after their chain had finished |`,
      `| replies in one channel (discord.js sends them one at a time per channel): gap between consecutive ones, median; first reply of the first / last mention in a channel, mean | ${ms(percentile(placeholderGaps, 0.5))}; ${ms(mean(firstInChannel))} / ${ms(mean(lastInChannel))} |`,
      `| REST requests during the burst | ${requests.length}: ${placeholders.length} replies, ${appended} further messages, ${edits.length} edits, ${typing.length} typing, ${requests.length - placeholders.length - appended - edits.length - typing.length} other; ${failed.length} failed; at most ${peakPerSecond} in one second |`,
      `| requests discord.js held back for a rate limit | ${held.length}${held.length ? ` (${heldGlobal.length} for the global 50/s limit; longest wait ${ms(Math.max(...held.map((h) => h.waitMs)))}; ${heldRoutes.slice(0, 4).join(', ')}${heldRoutes.length > 4 ? ', …' : ''})` : ''} |`,
      `| citebot event-loop delay during the burst, p50 / p99 / max | ${fixed(report.eventLoop.p50Ms, 0)} / ${fixed(report.eventLoop.p99Ms, 0)} / ${fixed(report.eventLoop.maxMs, 0)} ms |`,
      `| citebot CPU during the burst (user + sys) | ${fixed(report.cpuSeconds, 2)} s |`,
      `| citebot peak RSS during the burst | ${fixed(report.peakRssMb, 0)} MB (${fixed(marked.rssMb, 0)} MB before it${report.rssReset ? '' : '; peak not reset after /ingest, so it includes it'}) |`,
      `| warnings and errors logged by citebot | ${warnings.length} |`,
      '',
      `Every mention sees "citebot is typing…" in its channel within 3 s: **${typingMs.length === MENTIONS && Math.max(...typingMs) < 3000 ? 'holds' : 'does not hold'}** (${typingMs.filter((t) => t < 3000).length}/${MENTIONS}).`,
      '',
      `All answered (${MENTIONS}/${MENTIONS} mentions got exactly one reply, ending exactly once as an answer with sources, none lost, none duplicated): **${allAnswered ? 'holds' : 'does not hold'}** (${sourced.length}/${MENTIONS}).`,
      '',
      "Reading it: the adapter overhead is, per mention, the time from posting it on the double to the final edit of citebot's reply reaching the double, minus the time the answer chain spent on that question (its `stream`, timed inside the citebot process, from the call to the final answer). " +
        'It is what a user waits for beyond the chain: the gateway dispatch, the "Searching…" reply (posted while the chain starts), the wait for a partial edit still in flight, storing the answer and the final edit. ' +
        'The chain-only row runs the same questions at once without Discord, after the burst; the chain is slower inside the burst than alone because the adapter\'s work shares the cores with retrieval, which the subtraction does not charge to the adapter (the "final minus chain-only" row does). ' +
        "How citebot lives with Discord's per-channel buckets (src/bots/discord/reply-outbox.ts): a mention starts the channel's one typing indicator at once (shared by every answer being written there, so a burst costs one typing request per channel, not one per mention); replies go out one at a time per channel, each with its text as it stands when its turn comes, so an answer that finished while it waited is posted finished, with no edit; and a streamed edit is skipped while the channel has replies waiting or another edit in flight, so the final edits are not queued behind streaming. discord.js itself waits out every 429 and drops nothing. " +
        `With ~${Math.round(MENTIONS / CHANNELS.length)} mentions per channel at 5 messages per 5 s, the last replies of a burst wait for their channel's turn: that wait is most of the final-answer spread. ` +
        `Requests discord.js held back: ${held.length ? `${held.length} this run, up to ${ms(Math.max(...held.map((h) => h.waitMs)))}` : 'none this run'}. ` +
        `The Discord double enforces Discord's rate limits (test/doubles/discord-rate-limits.ts: 5 messages and 5 edits per 5 s per channel, 50 requests a second in all) with X-RateLimit-* headers on every answer, so the ~${Math.round(MENTIONS / CHANNELS.length)} replies of one channel are spread over several seconds. ` +
        `With the default 1200 ms edit interval and a ~${fixed(mean(modelMs) / 1000, 1)} s answer whose text streams for about ${ms(mean(modelMs) - CHAT_MS)}, an answer gets at most one partial edit, often landing after its chain has finished. ` +
        'On this 2-core machine citebot, Chroma, both doubles and the sender share the two cores, and the load average above says how busy the machine was with other work: treat the times as an upper bound and the counts (answered, duplicated, edits, held back) as exact.',
    ];
    if (process.env.BENCH_DISCORD_DUMP) {
      const dump = {
        rows: rows.map((r) => ({ ...r, mention: { ...r.mention, channel: r.mention.channel.id, user: r.mention.user.username } })),
        requests: requests.map((r) => ({
          method: r.method,
          path: r.path,
          at: at(r) - burstStarted,
          status: r.status,
          content: contentOf(r).slice(0, 120),
        })),
        heldBack: held,
        sentAt: burstStarted,
        origin: performance.timeOrigin,
      };
      writeFileSync(process.env.BENCH_DISCORD_DUMP, JSON.stringify(dump, null, 1));
    }
    publishSection('Discord adapter under load (issue 5)', lines, warnings);
    if (!allAnswered)
      for (const r of rows.filter((row) => !row.sourced))
        console.warn(
          `not answered once with sources: ${r.mention.question} (${r.placeholders} replies, ${r.finals} final edits): ${r.stored.slice(0, 200)}`,
        );
  } finally {
    await bench.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(ROOT);
  await benchDiscord();
}
