import { emptyFolders, ingestPaths, ingestReport } from '../app/ingest.js';
import type { CommandContext } from './command-context.js';
import { webApi } from '@slack/bolt';
import { importSlackExport, isSlackExport } from '../bots/slack/export-import.js';
import { CitebotError } from '../errors.js';
import type { CitebotCore } from '../core.js';
import { ingestTotalsLine, plural } from './command-text.js';
import { ExitCode } from './exit-codes.js';
import { printJson, progressBar, table } from './output.js';

export type { IngestReport } from '../app/ingest.js';

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
  return report.totals.failed + report.totals.skipped > 0 ? ExitCode.partial : ExitCode.ok;
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
  if (options.json) printJson({ import: { path, scope: options.scope, ...result } });
  else
    process.stdout.write(
      `Imported ${result.messages} message(s) of ${result.channel} into ${options.scope} (${result.documents} thread/day documents written; ${result.total} messages indexed there).\n`,
    );
  return ExitCode.ok;
}
