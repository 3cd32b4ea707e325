/**
 * The citebot child process of a chat-adapter benchmark, as the benchmark sees it: it spawns one of
 * the runners under tsx and speaks bench/chat-bench-protocol.ts with it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Baseline, BaselineRun, BurstReport, Command, Marked } from './chat-bench-protocol.js';
import { ROOT } from './support.js';

export class ChatBenchChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly name: string;
  /** Lines read that nobody has asked for yet, and those waiting for a line. */
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string) => void)[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  /** Start bench/`runner` with `env`; wait for ready() before talking to it. */
  constructor(runner: string, env: NodeJS.ProcessEnv) {
    this.name = basename(runner, '.ts');
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', runner)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async ready(): Promise<void> {
    await this.next('ready');
  }

  /** Start a burst: the child forgets what it recorded before. */
  async mark(): Promise<Marked> {
    this.send('mark');
    return this.next<Marked>('marked');
  }

  /** What the child recorded since the mark, then the same questions through the chain alone. */
  async report<R extends BurstReport = BurstReport>(): Promise<{ report: R; baseline: BaselineRun[] }> {
    this.send('report');
    const report = await this.next<R>('report');
    const { runs } = await this.next<Baseline>('baseline');
    return { report, baseline: runs };
  }

  async exit(): Promise<void> {
    this.send('exit');
    await this.exited;
  }

  /** End the child if it is still running (after a failure). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }

  /** The lines citebot logged at warn or error level. */
  warnings(): string[] {
    return this.stderr.split('\n').filter((l) => / (warn|error) /.test(l));
  }

  private send(command: Command): void {
    this.child.stdin.write(command + '\n');
  }

  private async next<T>(type: string, timeoutMs = 120_000): Promise<T> {
    const line =
      this.lines.shift() ??
      (await Promise.race([
        new Promise<string>((resolve) => this.waiting.push(resolve)),
        this.exited.then((code) =>
          Promise.reject(new Error(`${this.name} exited (${code}) before "${type}": ${this.stderr.slice(-2000)}`)),
        ),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms`)), timeoutMs).unref(),
        ),
      ]));
    const message = JSON.parse(line) as { type: string } & T;
    if (message.type !== type) throw new Error(`${this.name} said ${message.type}, expected ${type}`);
    return message;
  }
}
