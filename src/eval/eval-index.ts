/**
 * The throwaway index an evaluation searches: the eval set's passages (or, end to end, a folder of
 * files) ingested through the real
 * pipeline (parse, chunk, embed, write) by a CitebotCore of its own. Its SQLite lives under
 * `<DATA_DIR>/eval-cache/<key>` and its vectors in a Chroma collection with an eval-only prefix, so the
 * user's ledger, keyword index and collections are never read or written. The key hashes what decides
 * the index's content (passages, embedding model, chunking), and ingest skips unchanged documents,
 * so a second run with the same inputs embeds nothing.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Settings } from '../config.js';
import { CitebotCore } from '../core.js';
import type { IngestSource } from '../ingest/indexer.js';
import type { DocumentIndex } from '../store/document-index.js';
import type { EvalPassage } from './dataset.js';

export interface IngestStats {
  /** Passages or files ingested. */
  passages: number;
  /** Chunks embedded by this run (0 when everything came from the cache). */
  chunksEmbedded: number;
  seconds: number;
  /** Chunks embedded per second while indexing; undefined when nothing was embedded. */
  textsPerSecond?: number;
  /** Passages or files that could not be indexed, with the reason: reported, and their questions count as misses. */
  failed?: string[];
}

export interface EvalIndex {
  core: CitebotCore;
  index: DocumentIndex;
  scope: string;
  ingest: IngestStats;
}

/** Identifies an index's content: changing any of these must not reuse a cached index. */
export function evalCacheKey(passages: readonly EvalPassage[], embedModel: string, settings: Settings): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ embedModel, chunkTokens: settings.CHUNK_TOKENS, overlap: settings.CHUNK_OVERLAP_TOKENS }));
  for (const p of passages) hash.update(`\n${p.docId}\t${p.source}`);
  return hash.digest('hex').slice(0, 16);
}

/** The user's settings pointed at the eval cache and an eval-only collection prefix. */
export function evalSettings(user: Settings, embedModel: string, key: string, chromaUrl: string): Settings {
  return {
    ...user,
    EMBED_MODEL: embedModel,
    DATA_DIR: join(user.DATA_DIR, 'eval-cache', key),
    // One Chroma server for the user's and the eval's collections; the prefix keeps them apart.
    CHROMA_URL: chromaUrl,
    CHROMA_COLLECTION_PREFIX: `citebot-eval-${key.slice(0, 12)}`,
    // The evaluation builds its own rerank steps; this core never reranks.
    RERANKER: 'none',
  };
}

function passageSource(scope: string, passage: EvalPassage): IngestSource {
  const bytes = new TextEncoder().encode(passage.text);
  return {
    scope,
    docId: passage.docId,
    source: passage.source,
    url: `eval:${passage.source}`,
    size: bytes.length,
    read: async () => bytes,
  };
}

/** What to ingest into an eval index: sources for its scope. One that cannot be indexed is reported, never fatal. */
export interface EvalSources {
  /** Hash of what decides the index's content (see evalCacheKey). */
  key: string;
  sources: (scope: string) => IngestSource[];
}

/**
 * Ingest the sources for one embedding model (or find them cached) and return the open index.
 * The caller closes `core`.
 */
export async function openEvalIndex(
  user: Settings,
  chromaUrl: string,
  embedModel: string,
  input: EvalSources,
  onProgress?: (done: number, total: number) => void,
): Promise<EvalIndex> {
  const { key } = input;
  const core = new CitebotCore(evalSettings(user, embedModel, key, chromaUrl));
  const scope = `eval:${key}`;
  try {
    const indexer = await core.indexer();
    const sources = input.sources(scope);
    const started = performance.now();
    const results = await indexer.ingestAll(sources, ({ done, total }) => onProgress?.(done, total));
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.status === 'failed' || r.status === 'skipped');
    const chunksEmbedded = results.filter((r) => r.status === 'indexed' || r.status === 'updated').reduce((sum, r) => sum + r.chunks, 0);
    return {
      core,
      index: await core.openIndex(),
      scope,
      ingest: {
        passages: sources.length,
        chunksEmbedded,
        seconds,
        ...(chunksEmbedded > 0 && { textsPerSecond: chunksEmbedded / seconds }),
        ...(failed.length > 0 && { failed: failed.map((r) => `${r.source}: ${r.error ?? r.status}`) }),
      },
    };
  } catch (error) {
    await core.close().catch(() => {});
    throw error;
  }
}

/** Ingest an eval set's passages for one embedding model (or find them cached). The caller closes `core`. */
export function buildEvalIndex(
  user: Settings,
  chromaUrl: string,
  embedModel: string,
  passages: readonly EvalPassage[],
  onProgress?: (done: number, total: number) => void,
): Promise<EvalIndex> {
  const key = evalCacheKey(passages, embedModel, user);
  return openEvalIndex(user, chromaUrl, embedModel, { key, sources: (scope) => passages.map((p) => passageSource(scope, p)) }, onProgress);
}
