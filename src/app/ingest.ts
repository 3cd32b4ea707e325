import type { CitebotCore } from '../core.js';
import type { IngestProgress, IngestResult, IngestStatus } from '../ingest/indexer.js';
import { collectLocalSources } from '../ingest/local-files.js';
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** One row of an ingest report: a result and the path or link it came from. */
export type IngestRow = IngestResult & {
  path: string;
  /** Not read at all: a path that does not exist, or one passed over on purpose (hidden, node_modules, an Office lock file). */
  notRead?: 'missing' | 'passed over';
};

/** The `citebot ingest --json` contract (DESIGN.md). */
export interface IngestReport {
  files: { path: string; status: IngestStatus; chunks: number; ocrPages?: number; error?: string }[];
  totals: Record<IngestStatus, number> & { files: number; chunks: number; ocrPages: number };
}

export function ingestReport(rows: IngestRow[]): IngestReport {
  const totals = { files: rows.length, chunks: 0, ocrPages: 0, indexed: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  for (const r of rows) {
    totals[r.status]++;
    totals.chunks += r.chunks;
    totals.ocrPages += r.ocrPages ?? 0;
  }
  return {
    files: rows.map((r) => ({
      path: r.path,
      status: r.status,
      chunks: r.chunks,
      ...(r.ocrPages && { ocrPages: r.ocrPages }),
      ...(r.error && { error: r.error }),
    })),
    totals,
  };
}

/**
 * Run ingest work in a scope (its lane) after whatever ingest is queued or running there, in this
 * process or another. `ahead` > 0 means it waits its turn (say so); nothing queued is dropped. The
 * job is a row: with a handler for its kind (see registerJobHandlers) it resumes after a crash.
 */
export async function queueIngest<T>(
  core: CitebotCore,
  job: { scope: string; kind: string; payload?: unknown },
  work: () => Promise<T>,
): Promise<{ ahead: number; done: Promise<T> }> {
  const { ahead, done } = await core.jobs.enqueue({ lane: job.scope, kind: job.kind, payload: job.payload }, work);
  return { ahead, done };
}

/** `ingest` of local files and folders (CLI and terminal chat): one row per file, and one per path that does not exist. */
export async function ingestPaths(core: CitebotCore, paths: string[], scope: string, onProgress?: IngestProgress): Promise<IngestRow[]> {
  const { sources, missing, passedOver } = await collectLocalSources(paths, scope);
  const indexer = await core.indexer();
  const { done } = await queueIngest(core, { scope, kind: 'local-files', payload: { paths } }, () =>
    indexer.ingestAll(sources, onProgress),
  );
  const results = await done;
  return [
    ...results.map((r, i) => ({ ...r, path: sources[i]!.url })),
    ...missing.map((path) => ({
      path,
      scope,
      docId: '',
      source: path,
      status: 'failed' as const,
      chunks: 0,
      error: 'no such file or folder',
      notRead: 'missing' as const,
    })),
    // Hidden files and node_modules are not read, but never dropped without a line in the report.
    ...passedOver.map(({ path, reason }) => ({
      path,
      scope,
      docId: '',
      source: path,
      status: 'skipped' as const,
      chunks: 0,
      error: reason,
      notRead: 'passed over' as const,
    })),
  ];
}

/** The folders among `paths` in which ingest found no file to read (empty, or only hidden files): worth a hint. */
export function emptyFolders(paths: string[], rows: IngestRow[]): string[] {
  return paths.filter((path) => {
    const folder = resolve(path);
    const isFolder = statSync(folder, { throwIfNoEntry: false })?.isDirectory() ?? false;
    // Hidden entries it passed over are listed (as skipped) but are not files found.
    return isFolder && !rows.some((r) => r.docId && r.path.startsWith(folder + sep));
  });
}
