import type { CitebotCore } from '../../core.js';

export type ForgetOutcome =
  { kind: 'not_found' } | { kind: 'refused'; source: string } | { kind: 'removed'; source: string; chunks: number };

/**
 * Removes a channel's file (by file id or name) from every index, if the person asking shared it
 * or the platform says they may moderate (`mayModerate` is asked only when they did not share it).
 */
export async function forgetSharedFile(
  core: CitebotCore,
  scope: string,
  target: string,
  userId: string,
  mayModerate: () => Promise<boolean>,
): Promise<ForgetOutcome> {
  const matches = core.index.findDocuments(target, scope);
  if (matches.length === 0) return { kind: 'not_found' };
  const source = matches[0]!.source;
  const uploader = matches.every((d) => d.uploadedBy === userId);
  if (!uploader && !(await mayModerate())) return { kind: 'refused', source };
  const index = core.index;
  let chunks = 0;
  for (const doc of matches) chunks += await index.forget(doc.scope, doc.docId);
  return { kind: 'removed', source, chunks };
}
