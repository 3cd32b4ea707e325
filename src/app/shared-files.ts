import { unsupportedByName } from '../ingest/detect.js';
import type { Indexer, IngestResult } from '../ingest/indexer.js';
import { DEFAULT_LANGUAGE, messages, type Language } from '../messages/index.js';

/** A file shared on a chat platform, as the adapter found it: facts first, bytes on demand. */
export interface SharedFile {
  /** Slack file id, Discord attachment id. */
  docId: string;
  name: string;
  /** Where a reader opens it: the Slack permalink, the Discord message link. */
  url: string;
  size?: number;
  mimeType?: string;
  uploadedBy?: string;
  uploadedAt?: string;
  download: () => Promise<Uint8Array>;
}

export type ProgressLine = (line: string) => void;

/**
 * Indexes files shared in one channel into its scope. Before anything is downloaded: types citebot
 * cannot read are skipped by name, and files the ledger already holds at the same size are not
 * fetched again, so running /ingest twice costs a listing, not a download.
 */
export async function ingestSharedFiles(
  indexer: Indexer,
  scope: string,
  files: SharedFile[],
  onProgress?: ProgressLine,
  language: Language = DEFAULT_LANGUAGE,
): Promise<IngestResult[]> {
  const text = messages(language).ingest;
  const results: (IngestResult | undefined)[] = await Promise.all(files.map((file) => knownResult(indexer, scope, file)));
  const pending = files.map((file, i) => ({ file, i })).filter(({ i }) => !results[i]);
  const settled = files.length - pending.length;
  let lastNote = '';
  const ingested = await indexer.ingestAll(
    pending.map(({ file }) => ({
      scope,
      docId: file.docId,
      source: file.name,
      url: file.url,
      size: file.size,
      read: file.download,
      uploadedBy: file.uploadedBy,
      uploadedAt: file.uploadedAt,
    })),
    ({ done, result, current }) => {
      if (result?.error) lastNote = text.problem(result.source, result.error, result.status);
      const working = current ? text.reading(current) : lastNote;
      onProgress?.(`${text.progress(settled + done, files.length)}${working}`);
    },
  );
  pending.forEach(({ i }, k) => (results[i] = ingested[k]));
  return results as IngestResult[];
}

async function knownResult(indexer: Indexer, scope: string, file: SharedFile): Promise<IngestResult | undefined> {
  const base = { scope, docId: file.docId, source: file.name };
  const unsupported = unsupportedByName(file.name, file.mimeType);
  if (unsupported) return { ...base, status: 'skipped', chunks: 0, error: unsupported };
  const known = await indexer.index.document(scope, file.docId);
  if (!known || file.size === undefined || known.bytes !== file.size) return undefined;
  if (known.status === 'indexed' && !known.error) return { ...base, status: 'unchanged', chunks: known.chunkCount };
  if ((known.status === 'failed' || known.status === 'skipped') && known.error)
    return { ...base, status: known.status, chunks: 0, error: known.error };
  return undefined;
}

/** "12 files: 3 new, 1 updated, 6 unchanged, 2 not indexed", then one line per file that was not indexed. */
export function summarizeIngest(results: IngestResult[], language: Language = DEFAULT_LANGUAGE, maxProblems = 10): string {
  const text = messages(language).ingest;
  if (results.length === 0) return text.nothingToIndex;
  const count = (status: IngestResult['status']) => results.filter((r) => r.status === status).length;
  const problems = results.filter((r) => r.status === 'skipped' || r.status === 'failed');
  const passages = results.reduce((sum, r) => sum + (r.status === 'indexed' || r.status === 'updated' ? r.chunks : 0), 0);
  const lines = [
    text.summary({
      files: results.length,
      indexed: count('indexed'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      notIndexed: problems.length,
      passages,
    }),
  ];
  for (const problem of problems.slice(0, maxProblems))
    lines.push(text.problemLine(problem.source, problem.error ?? problem.status, problem.status));
  if (problems.length > maxProblems) lines.push(text.more(problems.length - maxProblems));
  return lines.join('\n');
}
