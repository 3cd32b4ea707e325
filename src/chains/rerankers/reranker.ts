/**
 * A model that scores how well each passage answers a query. Implementations: a cross-encoder run
 * in-process, an HTTP /rerank server. Scores are normalized to 0..1 so one threshold setting
 * (RERANK_MIN_SCORE) means the same thing whichever reranker is configured.
 */
export interface Reranker {
  /** For logs and answer metadata, e.g. "cross-encoder Xenova/bge-reranker-base". */
  readonly name: string;
  /** Load the model (or check the server) and run one warm-up pair. Throws a CitebotError when it cannot. */
  load(): Promise<void>;
  /** Relevance of each passage to the query, 0..1, in the passages' order. */
  score(query: string, passages: string[]): Promise<number[]>;
}
