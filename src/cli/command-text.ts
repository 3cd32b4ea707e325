/** How the CLI and the terminal chat word the results of the shared commands (src/app). */
import type { ForgetOutcome } from '../app/forget.js';
import type { IngestReport } from '../app/ingest.js';
import { documentNote, documentState, type ScopeSources } from '../app/sources.js';

/** "1 chunk", "2 chunks". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "3 files: 2 indexed, 0 updated, 1 unchanged, 0 skipped, 0 failed; 12 chunks added to scope local:default" */
export function ingestTotalsLine(report: IngestReport, scope: string): string {
  const t = report.totals;
  const added = report.files.filter((f) => f.status === 'indexed' || f.status === 'updated').reduce((n, f) => n + f.chunks, 0);
  return (
    `${plural(t.files, 'file')}: ${t.indexed} indexed, ${t.updated} updated, ${t.unchanged} unchanged, ${t.skipped} skipped, ${t.failed} failed; ` +
    `${plural(added, 'chunk')} added to scope ${scope}` +
    (t.ocrPages ? `; ${plural(t.ocrPages, 'page')} read by OCR` : '')
  );
}

/** One line per document, grouped by scope when a share adds any; a hint when there is nothing. */
export function sourcesLines(groups: ScopeSources[], addHint: string): string[] {
  const lines: string[] = [];
  for (const group of groups) {
    if (!group.own) lines.push(`Shared from ${group.scope}:`);
    for (const d of group.documents)
      lines.push(
        `${group.own ? '' : '  '}${d.source} · ${documentState(d)} · ${plural(d.chunkCount, 'chunk')}${documentNote(d) ? ` · ${documentNote(d)}` : ''}`,
      );
  }
  return lines.length ? lines : [`Nothing is indexed here yet. Use ${addHint}.`];
}

/** What forgetting said: removed, not found, or which of several same-named documents to pick. */
export function forgetLines(outcome: ForgetOutcome, target: string, scope: string, sourcesHint: string): string[] {
  switch (outcome.kind) {
    case 'removed':
      return [`Forgot ${outcome.source} (${outcome.docId}): ${plural(outcome.chunks, 'chunk')} removed from scope ${outcome.scope}.`];
    case 'not_found':
      return [`No document "${target}" in scope ${scope}. ${sourcesHint} lists them.`];
    case 'ambiguous':
      return [
        `"${target}" names ${outcome.candidates.length} documents in scope ${scope}; forget one by its id or path:`,
        ...outcome.candidates.map((d) => `  ${d.docId}  ${d.url}`),
      ];
    case 'refused':
      return [`Not allowed to forget ${outcome.source}.`];
  }
}
