import { allSources, documentNote, documentState, readableSources } from '../app/sources.js';
import { emptyScopeWarning } from '../app/scopes.js';
import type { CitebotCore } from '../core.js';
import { printJson, table } from './output.js';

/** `citebot sources`: what a question in the scope may read (its own documents and shared ones), or everything with --all. */
export async function sourcesCommand(core: CitebotCore, options: { scope: string; all?: boolean; json?: boolean }): Promise<number> {
  const groups = await readableSources(core, options.scope);
  const warning = options.all ? undefined : await emptyScopeWarning(core, options.scope);
  if (warning) process.stderr.write(`citebot: warning: ${warning}\n`);
  const all = options.all || groups.length > 1;
  const documents = options.all ? await allSources(core) : await core.index.documents(groups.map((g) => g.scope));
  if (options.json) {
    printJson({
      documents: documents.map((d) => ({
        docId: d.docId,
        scope: d.scope,
        source: d.source,
        url: d.url,
        status: documentState(d),
        chunks: d.chunkCount,
        mimeType: d.mimeType,
        contentHash: d.contentHash,
        bytes: d.bytes,
        uploadedBy: d.uploadedBy,
        uploadedAt: d.uploadedAt,
        ingestedAt: d.ingestedAt,
        ...(documentNote(d) && { error: documentNote(d) }),
      })),
    });
    return 0;
  }
  if (documents.length === 0) {
    process.stdout.write(`No documents in ${options.all ? 'any scope' : `scope ${options.scope}`}. Add some with: citebot ingest <path>\n`);
    return 0;
  }
  process.stdout.write(
    table(
      all ? ['scope', 'source', 'status', 'chunks', 'doc id', 'note'] : ['source', 'status', 'chunks', 'doc id', 'note'],
      documents.map((d) => [...(all ? [d.scope] : []), d.source, documentState(d), d.chunkCount, d.docId, documentNote(d)]),
    ) + '\n',
  );
  return 0;
}
