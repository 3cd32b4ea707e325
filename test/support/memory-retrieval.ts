import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import type { Retrieval, RetrievalResult, RetrieveRequest } from '../../src/chains/retrieval-pipeline.js';
import { hashEmbedding } from '../doubles/text-features.js';

/** The Ollama double's lexical embeddings, in process: similar words give similar vectors. */
class LexicalEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => hashEmbedding(t, 'unit', 256));
  }
  async embedQuery(text: string): Promise<number[]> {
    return hashEmbedding(text, 'unit', 256);
  }
}

/**
 * A small in-process index for unit tests of the answer chain: LangChain's MemoryVectorStore with
 * lexical embeddings, searched within the request's scopes, keeping what scores at least `minScore`
 * (the role the relevance threshold plays in the real pipeline). No Chroma, no Ollama: milliseconds.
 */
export class MemoryRetrieval implements Retrieval {
  private readonly store = new MemoryVectorStore(new LexicalEmbeddings());

  constructor(private readonly options: { minScore: number; topN: number }) {}

  async add(scope: string, source: string, passages: string[]): Promise<void> {
    await this.store.addDocuments(
      passages.map(
        (text, i) =>
          new Document({
            id: `${scope}:${source}:${i}`,
            pageContent: text,
            metadata: { scope, docId: `doc-${source}`, source, url: `https://files.example/${source}`, chunkIndex: i, section: '' },
          }),
      ),
    );
  }

  async retrieve(question: string, request: RetrieveRequest): Promise<RetrievalResult> {
    const started = performance.now();
    const scored = await this.store.similaritySearchWithScore(question, 20, (doc) => request.scopes.includes(doc.metadata.scope));
    const candidates = scored.map(([doc, score]) => new Document({ ...doc, metadata: { ...doc.metadata, fusedScore: score } }));
    const documents = candidates.filter((d) => Number(d.metadata.fusedScore) >= this.options.minScore).slice(0, this.options.topN);
    const retrieveMs = performance.now() - started;
    return { documents, report: { candidates, denseHits: candidates.length, keywordHits: 0, retrieveMs, rerankMs: 0, degraded: [] } };
  }
}
