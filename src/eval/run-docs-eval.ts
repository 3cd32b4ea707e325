/**
 * End-to-end evaluation (`citebot eval --docs <folder> --qa <questions.jsonl>`): the folder's real files
 * go through the normal ingest pipeline (loaders, chunking, embedding) into a throwaway index, and each
 * question through the retrieval and rerank path of `ask`, without the LLM. Scored: does the top
 * citation come from the gold document, and from the gold section; is the gold document in the top 5.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Document } from '@langchain/core/documents';
import type { Settings } from '../config.js';
import { CitebotError } from '../errors.js';
import { collectLocalSources, localDocId } from '../ingest/local-files.js';
import type { DocumentIndex } from '../store/document-index.js';
import { askRanking, rankFor, type NamedReranker } from './configurations.js';
import type { DocQuestion } from './doc-questions.js';
import { openEvalIndex, type IngestStats } from './eval-index.js';
import { percentile } from './metrics.js';
import { chunkSections, sameHeading } from './sections.js';

/** The `--json` output of the end-to-end mode, exactly. */
export interface DocsEvalReport {
  questions: number;
  /** Share of questions whose top citation comes from the gold document. */
  documentHit1: number;
  /** Share whose top citation comes from the gold document's gold section. */
  sectionHit1: number;
  /** Share with a chunk of the gold document among the top 5 citations. */
  documentHit5: number;
}

export interface DocsEvalRun {
  report: DocsEvalReport;
  /** e.g. "nomic-embed-text/hybrid+cross-encoder". */
  configuration: string;
  p50Ms: number;
  p95Ms: number;
  indexing: IngestStats & { embedModel: string };
  /** Gold documents named by questions but not found (or not indexed) in the folder. */
  missingDocuments: string[];
  /** Questions whose gold section citebot cannot find in the gold document (e.g. plain text without headings). */
  sectionNotFound: number;
}

export interface DocsEvalOptions {
  embedModel: string;
  reranker?: NamedReranker;
  onProgress?: (event: { stage: 'indexing' | 'asking'; label: string; done: number; total: number }) => void;
}

const TOP = 5;
const rate = (x: number) => Math.round(x * 10_000) / 10_000;
const ms = (x: number) => Math.round(x * 10) / 10;

/** The index's content depends on the files, the model and chunking; a changed folder gets a fresh index. */
async function docsCacheKey(folder: string, files: readonly string[], embedModel: string, settings: Settings): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ folder, embedModel, chunkTokens: settings.CHUNK_TOKENS, overlap: settings.CHUNK_OVERLAP_TOKENS }));
  for (const file of files) {
    const info = await stat(file);
    hash.update(`\n${relative(folder, file)}\t${info.size}\t${info.mtimeMs}`);
  }
  return 'docs-' + hash.digest('hex').slice(0, 16);
}

/** Section headings of every chunk of the given documents, by chunk id, and every heading found per document. */
async function sectionsByChunk(
  index: DocumentIndex,
  scope: string,
  docIds: Iterable<string>,
): Promise<{ sections: Map<string, string[]>; headings: Map<string, string[]> }> {
  const sections = new Map<string, string[]>();
  const headings = new Map<string, string[]>();
  for (const docId of docIds) {
    const chunks = await index.chunksOf(scope, docId);
    const found = chunkSections(chunks.map((c) => ({ text: c.text, chunkIndex: c.metadata.chunkIndex, section: c.metadata.section })));
    chunks.forEach((c, i) => sections.set(c.id, found[i]!));
    headings.set(docId, [...new Set(found.flat())]);
  }
  return { sections, headings };
}

export async function runDocsEval(
  user: Settings,
  chromaUrl: string,
  folder: string,
  questions: readonly DocQuestion[],
  options: DocsEvalOptions,
): Promise<DocsEvalRun> {
  const root = resolve(folder);
  const { sources, missing } = await collectLocalSources([root], '');
  if (missing.length || sources.length === 0) throw new CitebotError('invalid_input', `--docs: no files found in ${folder}.`);
  const key = await docsCacheKey(
    root,
    sources.map((s) => s.url),
    options.embedModel,
    user,
  );
  if (options.reranker) await options.reranker.reranker.load();
  const built = await openEvalIndex(
    user,
    chromaUrl,
    options.embedModel,
    { key, sources: (scope) => sources.map((s) => ({ ...s, scope })) },
    (done, total) => options.onProgress?.({ stage: 'indexing', label: options.embedModel, done, total }),
  );
  try {
    const { index, scope } = built;
    // A question's `doc` is a path relative to the folder (a bare file name for files at its top).
    const goldDocId = (doc: string) => localDocId(resolve(root, doc));
    const indexedDocs = new Set((await index.documents([scope])).filter((d) => d.status === 'indexed').map((d) => d.docId));
    const goldDocs = new Set(questions.map((q) => goldDocId(q.doc)));
    const missingDocuments = [...new Set(questions.filter((q) => !indexedDocs.has(goldDocId(q.doc))).map((q) => q.doc))];
    const { sections, headings } = await sectionsByChunk(
      index,
      scope,
      [...goldDocs].filter((d) => indexedDocs.has(d)),
    );

    const ranking = {
      pipeline: askRanking(built.core.settings, index, TOP, options.reranker?.reranker),
      reranker: options.reranker?.name ?? '',
    };
    const name = `${options.embedModel}/hybrid${options.reranker ? `+${options.reranker.name}` : ''}`;
    if (questions[0]) await rankFor(ranking, questions[0].question, scope); // warm up: workers, connections, model sessions
    let documentHit1 = 0;
    let sectionHit1 = 0;
    let documentHit5 = 0;
    const latencies: number[] = [];
    for (const [i, q] of questions.entries()) {
      const started = performance.now();
      const docs: Document[] = await rankFor(ranking, q.question, scope);
      latencies.push(performance.now() - started);
      const gold = goldDocId(q.doc);
      const top = docs[0];
      if (top && top.metadata.docId === gold) {
        documentHit1++;
        if ((sections.get(top.id ?? '') ?? []).some((s) => sameHeading(s, q.section))) sectionHit1++;
      }
      if (docs.slice(0, TOP).some((d) => d.metadata.docId === gold)) documentHit5++;
      options.onProgress?.({ stage: 'asking', label: name, done: i + 1, total: questions.length });
    }
    const n = Math.max(1, questions.length);
    return {
      report: {
        questions: questions.length,
        documentHit1: rate(documentHit1 / n),
        sectionHit1: rate(sectionHit1 / n),
        documentHit5: rate(documentHit5 / n),
      },
      configuration: name,
      p50Ms: ms(percentile(latencies, 50)),
      p95Ms: ms(percentile(latencies, 95)),
      indexing: { embedModel: options.embedModel, ...built.ingest },
      missingDocuments,
      sectionNotFound: questions.filter(
        (q) => indexedDocs.has(goldDocId(q.doc)) && !(headings.get(goldDocId(q.doc)) ?? []).some((h) => sameHeading(h, q.section)),
      ).length,
    };
  } finally {
    await built.core.close();
  }
}
