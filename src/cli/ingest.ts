import { emptyFolders, ingestPaths, ingestReport } from '../app/ingest.js';
import type { CommandContext } from './command-context.js';
import { webApi } from '@slack/bolt';
import { importSlackExport, isSlackExport, type ExportImportResult } from '../bots/slack/export-import.js';
import { CitebotError } from '../errors.js';
import type { CitebotCore } from '../core.js';
import { ingestTotalsLine, plural } from './command-text.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export type { IngestReport } from '../app/ingest.js';
import type { IngestRow } from '../app/ingest.js';

/** `citebot ingest <paths...>`: a progress bar, then a table of what was not indexed (or of every file, when few) and the totals. */
export async function ingestCommand(
  core: CitebotCore,
  paths: string[],
  options: { scope: string; json?: boolean; workspaceUrl?: string },
  context?: CommandContext,
): Promise<number> {
  if (options.scope.startsWith('slack:') && paths.length === 1 && (await isSlackExport(paths[0]!)))
    return importExportCommand(core, paths[0]!, options);
  const bar = progressBar(!options.json, 'Indexing');
  let progress = { done: 0, total: 0 };
  context?.onInterrupt(() => {
    bar.stop();
    return interruptedLine(progress.done, progress.total);
  });
  let rows;
  try {
    rows = await ingestPaths(core, paths, options.scope, ({ done, total, current }) => {
      progress = { done, total };
      bar.update(done, total, current ?? '');
    });
  } finally {
    bar.stop();
  }
  rows = await withExportHints(rows);
  const report = ingestReport(rows);
  for (const folder of emptyFolders(paths, rows)) process.stderr.write(`citebot: no files found in ${folder}\n`);
  if (options.json) printJson(report);
  else {
    const shown = report.files.length <= 40 ? report.files : report.files.filter((f) => f.status === 'failed' || f.status === 'skipped');
    if (shown.length)
      process.stdout.write(
        table(
          ['file', 'status', 'chunks', 'note'],
          shown.map((f) => [f.path, f.status, f.chunks, f.error ?? (f.ocrPages ? `${f.ocrPages} page(s) read by OCR` : '')]),
        ) + '\n',
      );
    process.stdout.write(ingestTotalsLine(report, options.scope) + '\n');
  }
  return ingestExitCode(rows);
}

/**
 * 2 (bad usage) when nothing was read because every path given is mistyped; 1 (partly done) when a file
 * failed or was skipped; passed-over paths (hidden files, Office lock files) are not problems.
 */
export function ingestExitCode(rows: IngestRow[]): number {
  if (rows.length > 0 && rows.every((r) => r.notRead === 'missing')) return ExitCode.usage;
  return rows.some((r) => r.notRead !== 'passed over' && (r.status === 'failed' || r.status === 'skipped'))
    ? ExitCode.partial
    : ExitCode.ok;
}

/** A Slack workspace export given without a Slack --scope is not a file to index: say how to import it. */
async function withExportHints(rows: IngestRow[]): Promise<IngestRow[]> {
  return Promise.all(
    rows.map(async (row) =>
      row.status !== 'indexed' && row.status !== 'updated' && row.status !== 'unchanged' && (await isSlackExport(row.path))
        ? {
            ...row,
            error: `${row.error ?? 'not indexed'}; it looks like a Slack workspace export: import a channel with citebot ingest ${row.path} --scope slack:<team id>:<channel id or name>`,
          }
        : row,
    ),
  );
}

/** What Ctrl-C leaves behind: finished files stay indexed; the file being read is completed by the next run. */
export function interruptedLine(done: number, total: number): string {
  return (
    `Interrupted: ${plural(done, 'file')} of ${total} finished and kept in the index. ` +
    'Run the same command again to complete the rest (finished files are not read again).'
  );
}

/** The workspace's URL for permalinks: --workspace-url, else auth.test with SLACK_BOT_TOKEN. */
async function slackWorkspaceUrl(core: CitebotCore, given?: string): Promise<string> {
  if (given) return given;
  const token = core.settings.SLACK_BOT_TOKEN;
  if (token) {
    const client = new webApi.WebClient(token, { slackApiUrl: core.settings.SLACK_API_URL, retryConfig: { retries: 2 } });
    const auth = (await client.auth.test().catch(() => undefined)) as { url?: string } | undefined;
    if (auth?.url) return auth.url;
  }
  throw new CitebotError('invalid_input', 'a Slack export does not say where the workspace is, so its permalinks cannot be made', {
    fix: 'pass --workspace-url https://<team>.slack.com/ (or set SLACK_BOT_TOKEN)',
  });
}

/** `citebot ingest <slack-export.zip> --scope slack:T:C`: the channel's history from the export. */
async function importExportCommand(
  core: CitebotCore,
  path: string,
  options: { scope: string; json?: boolean; workspaceUrl?: string },
): Promise<number> {
  const url = await slackWorkspaceUrl(core, options.workspaceUrl);
  const result = await importSlackExport(core, path, options.scope, url);
  if (options.json) printJson({ import: { path, ...result } });
  else process.stdout.write(importLines(result).join('\n') + '\n');
  return ExitCode.ok;
}

/** What an export import did, and what it left out and why. */
export function importLines(result: ExportImportResult): string[] {
  const lines = [
    `Imported ${plural(result.messages, 'message')} of ${result.channel} into ${result.scope} (${result.documents} thread/day documents written; ${result.total} messages indexed there).`,
  ];
  const { total, ...reasons } = result.skipped;
  if (total) {
    const counts = Object.entries(reasons)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${reason}`);
    lines.push(`Left out ${total} ${total === 1 ? 'entry' : 'entries'} that are not people talking: ${counts.join(', ')}.`);
  }
  if (result.filesNotImported)
    lines.push(
      `${plural(result.filesNotImported, 'attached file')} not imported: an export links to Slack's copies; download them and run citebot ingest <folder> --scope ${result.scope}, or /ingest in the channel.`,
    );
  return lines;
}
