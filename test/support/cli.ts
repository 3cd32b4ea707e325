import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI: the suite's global setup builds it when src/ is newer. */
export const BUILT_CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start the real CLI (compiled, as users run it) as its own process; `stdin: 'pipe'` to type into `chat`. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, options: { stdin?: 'pipe' | 'ignore' } = {}): ChildProcess {
  return spawn(process.execPath, [BUILT_CLI, ...args], { env, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
}

/** Run the CLI to completion and collect its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = startCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
