/**
 * The child-process side of a chat-adapter benchmark, shared by bench/slack-runner.ts and
 * bench/discord-runner.ts: citebot's core, configured from the environment, with one chat adapter
 * started on it, in a process of its own so that its memory and CPU are citebot's alone. The answer
 * chain is wrapped to record, per question, when it started and when it produced its answer: the
 * adapter's overhead is everything else. Talks to the parent as bench/chat-bench-protocol.ts says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AnswerChain, AnswerEvent, AskInput } from '../src/chains/answer-chain.js';
import { loadSettings } from '../src/config.js';
import { CitebotCore } from '../src/core.js';
import type { BaselineRun, BurstReport, ChainRun, Command, Marked } from './chat-bench-protocol.js';

/** The adapter under test, as its runner started it, with whatever else that runner records. */
export interface BenchedAdapter {
  /** Fields added to the "ready" message. */
  ready?: Record<string, unknown>;
  /** Forget what was recorded before the burst. */
  mark?(): void;
  /** Fields added to the report: what was recorded since the mark. */
  report?(): Record<string, unknown>;
  stop(): Promise<void>;
}

export const epoch = () => performance.timeOrigin + performance.now();
const say = (message: { type: string; [field: string]: unknown }) => process.stdout.write(JSON.stringify(message) + '\n');

function memoryMb(): { peak: number; current: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peak: kb('VmHWM') / 1024, current: kb('VmRSS') / 1024 };
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0): the peak then covers the burst only. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Wrap the chain's `stream` (which the adapter calls) to add a ChainRun to `runs` per answer. */
function recordRuns(chain: AnswerChain, runs: ChainRun[]): void {
  const stream = chain.stream.bind(chain);
  chain.stream = async function* timed(input: AskInput): AsyncGenerator<AnswerEvent> {
    const startedAt = epoch();
    let partials = 0;
    for await (const event of stream(input)) {
      if (event.type === 'partial') partials++;
      else if (event.type === 'answer') {
        const { answer } = event;
        runs.push({
          question: input.question,
          scopes: input.scopes,
          startedAt,
          endedAt: epoch(),
          partials,
          citations: answer.citations.length,
          noEvidence: Boolean(answer.noEvidence),
          timings: answer.timings,
        });
      }
      yield event;
    }
  };
}

/** The same questions, in the same scopes, straight through the chain, all at once. */
function baseline(chain: AnswerChain, runs: ChainRun[]): Promise<BaselineRun[]> {
  return Promise.all(
    runs.map(async ({ question, scopes }) => {
      const started = epoch();
      const answer = await chain.invoke({ question, scopes });
      return { question, ms: epoch() - started, citations: answer.citations.length, timings: answer.timings };
    }),
  );
}

/** Start citebot with the adapter `start` brings up, serve the parent's commands until "exit", then exit. */
export async function runChatBench(start: (core: CitebotCore) => Promise<BenchedAdapter>): Promise<never> {
  const core = new CitebotCore(loadSettings({ dotenvDir: false }));
  // As `citebot serve` does: connect the index before the first question.
  await core.openIndex();
  const chain = core.answerChain();
  const runs: ChainRun[] = [];
  recordRuns(chain, runs);
  const adapter = await start(core);
  say({ type: 'ready', ...adapter.ready });

  let cpuMark = process.cpuUsage();
  let rssReset = false;
  for await (const line of createInterface({ input: process.stdin })) {
    const command = line as Command;
    if (command === 'mark') {
      rssReset = resetPeakRss();
      runs.length = 0;
      adapter.mark?.();
      cpuMark = process.cpuUsage();
      const marked: Marked = { rssReset, rssMb: memoryMb().current };
      say({ type: 'marked', ...marked });
    } else if (command === 'report') {
      const cpu = process.cpuUsage(cpuMark);
      const memory = memoryMb();
      const burstRuns = [...runs];
      const report: BurstReport = {
        runs: burstRuns,
        peakRssMb: memory.peak,
        rssMb: memory.current,
        rssReset,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      };
      say({ type: 'report', ...report, ...adapter.report?.() });
      say({ type: 'baseline', runs: await baseline(chain, burstRuns) });
    } else if (command === 'exit') break;
  }
  await adapter.stop();
  await core.close();
  process.exit(0);
}
