import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_CLI } from './support/cli.js';

const DATABASE_MODULE = pathToFileURL(join(BUILT_CLI, '..', 'store', 'database.js')).href;

/** Open (and migrate) the SQLite file in a process of its own; resolves with its exit code and stderr. */
function openInChild(file: string): Promise<{ code: number | null; stderr: string }> {
  const script = `const { openDatabase } = await import(${JSON.stringify(DATABASE_MODULE)});
const db = openDatabase(${JSON.stringify(file)});
process.stdout.write(String(db.pragma('user_version', { simple: true })));
db.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('a fresh SQLite state opened by several processes at once', () => {
  it('is switched to WAL and migrated once, with no "database is locked" (three ingests started together)', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'citebot-open-race-'));
      try {
        const runs = await Promise.all([1, 2, 3, 4].map(() => openInChild(join(dir, 'citebot.db'))));
        for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
