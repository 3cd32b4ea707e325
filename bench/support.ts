import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedChroma, type EmbeddedChroma } from '../src/store/chroma-server.js';

export const ROOT = join(import.meta.dirname, '..');
/** ../shared beside the clone; CITEBOT_SHARED points elsewhere (a git worktree has no ../shared of its own). */
export const SHARED = process.env.CITEBOT_SHARED ?? join(ROOT, '..', 'shared');
export const RESULTS = join(ROOT, 'bench', 'RESULTS.md');

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident memory of the child (VmHWM), in MB. */
  peakRssMb: number;
  /** CPU time the child used, user + system, in seconds (including its worker threads). */
  cpuSeconds: number;
}

/** Run a command, timing it and sampling its peak RSS from /proc (the high-water mark only grows). */
export function runMeasured(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peakKb = 0;
  let cpuTicks = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
      // /proc/PID/stat fields 14 and 15: utime and stime in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(sample, 50);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakRssMb: peakKb / 1024, cpuSeconds: cpuTicks / 100 });
    });
  });
}

/** A throwaway Chroma server and data directory for one benchmark. */
export async function benchWorkspace(name: string): Promise<{ dataDir: string; chroma: EmbeddedChroma; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `citebot-bench-${name}-`));
  const chroma = await startEmbeddedChroma(join(dataDir, 'chroma-server'));
  return {
    dataDir,
    chroma,
    close: async () => {
      await chroma.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment of a retrieval benchmark: its workspace, the Ollama double, no reranker, quiet logs. */
export function retrievalBenchEnv(ws: { dataDir: string; chroma: EmbeddedChroma }, ollamaUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: ws.dataDir,
    CHROMA_URL: ws.chroma.url,
    OLLAMA_BASE_URL: ollamaUrl,
    RERANKER: 'none',
    LOG_LEVEL: 'error',
  };
}

export function duSync(path: string): number {
  if (!existsSync(path)) return 0;
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

export const mb = (bytes: number) => bytes / 1024 / 1024;
export const fixed = (n: number, digits = 1) => n.toFixed(digits);

/** Replace (or append) one `## name` section of bench/RESULTS.md, leaving the others. */
export function writeResultsSection(title: string, body: string): void {
  const header =
    '# Benchmark results\n\nWritten by `npm run bench` (scripts in `bench/`). Each section says the command that produced it.\n';
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : header;
  const sections = current.split(/^(?=## )/m);
  const head = sections[0]!.startsWith('## ') ? header : sections[0]!;
  const rest = sections.filter((s) => s.startsWith('## '));
  const section = `## ${title}\n\n${body.trim()}\n\n`;
  const index = rest.findIndex((s) => s.startsWith(`## ${title}\n`));
  if (index >= 0) rest[index] = section;
  else rest.push(section);
  writeFileSync(RESULTS, [head.trimEnd() + '\n\n', ...rest].join(''));
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 1024 ** 3)} GB, Node ${process.version}`;
}
