/** A scope's indexed chunks, read from the user's index (read only), and what identifies their content. */
import { createHash } from 'node:crypto';
import type { DocumentIndex } from '../../store/document-index.js';
import type { StoredChunk } from '../../store/chunk.js';

export async function scopeChunks(index: DocumentIndex, scope: string): Promise<StoredChunk[]> {
  const chunks: StoredChunk[] = [];
  for (const doc of await index.documents([scope])) chunks.push(...(await index.chunksOf(scope, doc.docId)));
  return chunks;
}

/** Chunk ids are deterministic from scope, document, content hash and position: their set is the scope's content. */
export function scopeContentKey(chunks: readonly StoredChunk[]): string {
  const hash = createHash('sha256');
  for (const id of chunks.map((c) => c.id).sort()) hash.update(id + '\n');
  return hash.digest('hex').slice(0, 16);
}

/** A stable pseudo-random order (by hash of the chunk id), so a set of N is the first N of a larger one. */
export function sampleOrder(chunks: readonly StoredChunk[]): StoredChunk[] {
  const rank = (id: string) => createHash('sha256').update(id).digest('hex');
  return [...chunks]
    .map((c) => ({ c, r: rank(c.id) }))
    .sort((a, b) => (a.r < b.r ? -1 : 1))
    .map((x) => x.c);
}
