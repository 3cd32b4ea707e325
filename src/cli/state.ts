import type { CitebotCore } from '../core.js';
import { CitebotError } from '../errors.js';
import { copySqliteState, type CopyCounts } from '../store/postgres/copy.js';
import { PgDatabase } from '../store/postgres/database.js';
import { printJson } from './output.js';

const LABELS: [keyof CopyCounts, string][] = [
  ['documents', 'documents'],
  ['chunks', 'chunks (with their keyword index)'],
  ['answers', 'answers'],
  ['feedback', 'ratings'],
  ['answered_threads', 'answered threads'],
  ['channel_settings', 'channel settings'],
  ['conversation_channels', 'followed channels (with their cursors)'],
  ['conversation_messages', 'channel messages'],
  ['access_tokens', 'access tokens'],
  ['meta', 'index facts'],
];

/** The address without its password, to print. */
function shown(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/**
 * `citebot state copy --to postgres://…`: this machine's state (SQLite under DATA_DIR) into
 * PostgreSQL, for replicas. Nothing is re-embedded; a second run copies nothing and says so.
 */
export async function stateCopyCommand(core: CitebotCore, options: { to: string; json?: boolean }): Promise<number> {
  if (core.settings.DATABASE_URL)
    throw new CitebotError('invalid_input', 'state copy reads the SQLite state under DATA_DIR, but DATABASE_URL is set', {
      fix: 'run it with the single-machine settings (DATABASE_URL unset) and name PostgreSQL with --to',
    });
  const target = new PgDatabase(options.to);
  try {
    const counts = await copySqliteState(core.settings.DATA_DIR, target);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (options.json) {
      printJson({ to: shown(options.to), copied: counts, total });
      return 0;
    }
    if (total === 0) {
      process.stdout.write(`Nothing to copy: ${shown(options.to)} already holds everything in ${core.settings.DATA_DIR}.\n`);
      return 0;
    }
    const lines = LABELS.filter(([key]) => counts[key] > 0).map(([key, label]) => `  ${counts[key]} ${label}`);
    process.stdout.write(
      `Copied into ${shown(options.to)}:\n${lines.join('\n')}\n` +
        `Nothing was re-embedded: the vectors stay in Chroma. Run the replicas with DATABASE_URL=${shown(options.to)} and CHROMA_URL set to a Chroma server on the same data (README, "More than one machine").\n`,
    );
    return 0;
  } finally {
    await target.close();
  }
}
