import type { CitebotCore } from '../core.js';
import { runDoctor } from '../doctor.js';
import { printJson } from './output.js';

export async function doctorCommand(core: CitebotCore, options: { json?: boolean }): Promise<number> {
  const checks = await runDoctor(core);
  const ok = checks.every((c) => c.status !== 'failed');
  if (options.json) printJson({ ok, checks });
  else {
    const mark = { ok: '✓', warning: '!', failed: '✗', skipped: '-' } as const;
    for (const c of checks) process.stdout.write(`${mark[c.status]} ${c.name.padEnd(16)} ${c.detail}${c.fix ? `\n  fix: ${c.fix}` : ''}\n`);
  }
  return ok ? 0 : 1;
}
