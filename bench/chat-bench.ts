/**
 * What the chat-adapter benchmarks (bench/slack.ts, bench/discord.ts) set up and measure alike: the
 * Ollama double as a slow model, the platform's double, a fresh workspace, citebot in a child
 * process (bench/chat-bench-child.ts), and how an answer's time splits around its chain.
 */
import { join } from 'node:path';
import { OllamaDouble, splitIntoChunks } from '../test/doubles/ollama-double.js';
import { ChatBenchChild } from './chat-bench-child.js';
import type { ChainRun } from './chat-bench-protocol.js';
import { benchWorkspace, writeResultsSection } from './support.js';

/** The Ollama double as the model: this long to the first token, then this much between chunks of ~3 words. */
export const CHAT_MS = 1500;
export const TOKEN_MS = 50;

/** A streamed partial ends with " …"; anything else citebot puts in a message is its final state. */
export const isPartialText = (text: string) => text.endsWith(' …');

/** The parent's performance.now() as epoch milliseconds, the clock of the child's ChainRun times. */
export const epochOf = (at: number) => performance.timeOrigin + at;

/**
 * Where an answer's time went, from sending the question (`sentAt`, performance.now()) to the final
 * answer reaching the double (`finalMs` later): the chain, and the adapter's overhead before and after it.
 */
export function aroundChain(
  sentAt: number,
  finalMs: number,
  chain: ChainRun,
): { chainMs: number; overheadMs: number; beforeMs: number; afterMs: number } {
  const chainMs = chain.endedAt - chain.startedAt;
  return {
    chainMs,
    overheadMs: finalMs - chainMs,
    beforeMs: chain.startedAt - epochOf(sentAt),
    afterMs: epochOf(sentAt + finalMs) - chain.endedAt,
  };
}

/** The doubles, workspace and citebot process of one chat-adapter benchmark; close() ends them all. */
export class ChatBench<D extends { close(): Promise<void> }> {
  private citebot?: ChatBenchChild;

  private constructor(
    readonly ollama: OllamaDouble,
    /** The platform's double: Slack's Web API, or Discord's REST and gateway. */
    readonly double: D,
    private readonly ws: Awaited<ReturnType<typeof benchWorkspace>>,
  ) {}

  static async open<D extends { close(): Promise<void> }>(name: string, startDouble: () => Promise<D>): Promise<ChatBench<D>> {
    const ollama = await OllamaDouble.start();
    const double = await startDouble();
    return new ChatBench(ollama, double, await benchWorkspace(name));
  }

  /** Start citebot with bench/`runner` and the adapter's settings in `env`, and wait until it is ready. */
  async startCitebot(runner: string, env: Record<string, string>): Promise<ChatBenchChild> {
    const citebot = (this.citebot = new ChatBenchChild(runner, {
      ...process.env,
      DATA_DIR: join(this.ws.dataDir, 'data'),
      CHROMA_URL: this.ws.chroma.url,
      OLLAMA_BASE_URL: this.ollama.url,
      // Only the adapter under test: its settings in `env` turn it on.
      SLACK_BOT_TOKEN: '',
      SLACK_APP_TOKEN: '',
      DISCORD_TOKEN: '',
      RERANKER: 'none',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    }));
    await citebot.ready();
    return citebot;
  }

  /** Index every channel's files through the platform's /ingest (`ingest` returns its reply), as a user would; the chunks written. */
  async indexChannels<C>(channels: readonly C[], ingest: (channel: C) => Promise<string>): Promise<number> {
    const summaries = await Promise.all(channels.map(async (c) => (await ingest(c)).split('\n')[0]!));
    for (const s of summaries) if (!/^2 files: 2 new/.test(s)) throw new Error(`/ingest did not index both files: ${s}`);
    return this.ollama.stats.textsEmbedded;
  }

  /** From now on answer as slowly as a small local model would (indexing stays fast). */
  slowModel(): void {
    this.ollama.configure({ chatDelayMs: CHAT_MS, tokenDelayMs: TOKEN_MS });
  }

  /** How long the model took for each answer since the Ollama double's last reset. */
  modelMs(): number[] {
    return this.ollama.chatRequests.map((c) => CHAT_MS + (splitIntoChunks(c.answer).length - 1) * TOKEN_MS);
  }

  async close(): Promise<void> {
    await this.citebot?.kill();
    await this.ws.close();
    await this.double.close();
    await this.ollama.close();
  }
}

/** Write the benchmark's section of bench/RESULTS.md and show it, with the first of citebot's warnings. */
export function publishSection(title: string, lines: string[], warnings: string[]): void {
  writeResultsSection(title, lines.join('\n'));
  console.log(lines.join('\n'));
  if (warnings.length) console.warn(`citebot warnings:\n${warnings.slice(0, 10).join('\n')}`);
}
