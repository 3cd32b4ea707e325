/**
 * What a chat-adapter benchmark (bench/slack.ts, bench/discord.ts) and its citebot child process
 * (bench/chat-bench-runner.ts) say to each other, one JSON object a line on the child's stdout and
 * one command a line on its stdin. The child prints {"type":"ready",…} once its adapter is up; on
 * "mark" it starts its records of a burst afresh and prints {"type":"marked",…}; on "report" it
 * prints {"type":"report",…} (what it recorded since the mark), then asks the same questions again
 * straight through the chain, all at once, and prints {"type":"baseline",…}; on "exit" it stops.
 */
import type { AnswerTimings } from '../src/chains/types.js';

export type Command = 'mark' | 'report' | 'exit';

/** One question through the answer chain, as the adapter asked it. */
export interface ChainRun {
  question: string;
  scopes: string[];
  /** Epoch milliseconds (performance.timeOrigin + now), comparable with the parent's. */
  startedAt: number;
  endedAt: number;
  partials: number;
  citations: number;
  noEvidence: boolean;
  timings: AnswerTimings;
}

/** The same question straight through `chain.invoke`, with no adapter around it. */
export interface BaselineRun {
  question: string;
  ms: number;
  citations: number;
  timings: AnswerTimings;
}

export interface Marked {
  /** Whether the peak RSS could be reset, so that the report's peak covers the burst only. */
  rssReset: boolean;
  rssMb: number;
}

/** What the child recorded since the mark; an adapter's runner may add fields of its own. */
export interface BurstReport {
  runs: ChainRun[];
  peakRssMb: number;
  rssMb: number;
  rssReset: boolean;
  cpuSeconds: number;
}

export interface Baseline {
  runs: BaselineRun[];
}
