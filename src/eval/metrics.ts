/**
 * Retrieval metrics of `citebot eval`. Definitions (the numbers the table and --json report):
 *
 * - A retrieved chunk is a HIT for a question when its text contains one of the question's gold
 *   answer strings, compared after normalization: Unicode NFKC, lower case, runs of whitespace as
 *   one space, trimmed. An answer containing CJK characters is compared with all whitespace removed
 *   on both sides (Chinese has no spaces between words; the chunker may break lines anywhere).
 *   A question without answers (SQuAD 2 "impossible") has nothing to contain: a chunk from its gold
 *   passage (same docId) is the hit.
 * - hit@k: the share of questions with at least one hit among the top k chunks.
 * - recall@10: for each question, the share of its distinct gold answers found in some top-10 chunk
 *   (for a question without answers: 1 if its gold passage is in the top 10, else 0); averaged.
 * - MRR@10: the mean over questions of 1 / rank of the first hit within the top 10 (0 if none).
 * - p50/p95 latency: nearest-rank percentiles (the smallest value with at least p% of the values at
 *   or below it).
 */

/** What a retriever returned, reduced to what the metrics look at. */
export interface RetrievedChunk {
  text: string;
  docId: string;
}

/** What a question is judged against. */
export interface GoldAnswer {
  /** Distinct gold answer strings; empty when the passages do not answer the question. */
  answers: string[];
  /** The passage the question was written on. */
  docId?: string;
}

/** One question's judgement. */
export interface QuestionOutcome {
  /** 1-based rank of the first hit, undefined if no retrieved chunk is a hit. */
  firstHitRank?: number;
  /** Share of gold answers found in the top RECALL_DEPTH chunks (0..1). */
  recall: number;
}

export interface MetricSummary {
  /** hit@k for each k, keyed by k as a string. */
  hit: Record<string, number>;
  recall10: number;
  mrr10: number;
}

export const RECALL_DEPTH = 10;
export const MRR_DEPTH = 10;

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;

export function normalizeForMatch(text: string, dropSpaces = false): string {
  const folded = text.normalize('NFKC').toLowerCase();
  return dropSpaces ? folded.replace(/\s+/g, '') : folded.replace(/\s+/g, ' ').trim();
}

/** Whether a chunk's text contains an answer string (see the definition above). */
export function containsAnswer(chunkText: string, answer: string): boolean {
  const dropSpaces = CJK.test(answer);
  const needle = normalizeForMatch(answer, dropSpaces);
  return needle.length > 0 && normalizeForMatch(chunkText, dropSpaces).includes(needle);
}

/** Judge one question's ranked results. */
export function judgeQuestion(gold: GoldAnswer, retrieved: readonly RetrievedChunk[]): QuestionOutcome {
  const isHit = gold.answers.length
    ? (chunk: RetrievedChunk) => gold.answers.some((answer) => containsAnswer(chunk.text, answer))
    : (chunk: RetrievedChunk) => gold.docId !== undefined && chunk.docId === gold.docId;
  const firstHit = retrieved.findIndex(isHit);
  const top = retrieved.slice(0, RECALL_DEPTH);
  const recall = gold.answers.length
    ? gold.answers.filter((answer) => top.some((chunk) => containsAnswer(chunk.text, answer))).length / gold.answers.length
    : top.some(isHit)
      ? 1
      : 0;
  return { firstHitRank: firstHit >= 0 ? firstHit + 1 : undefined, recall };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/** hit@k, recall@10 and MRR@10 over the outcomes of every question. */
export function summarizeOutcomes(outcomes: readonly QuestionOutcome[], ks: readonly number[]): MetricSummary {
  const hit: Record<string, number> = {};
  for (const k of ks) hit[String(k)] = mean(outcomes.map((o) => (o.firstHitRank !== undefined && o.firstHitRank <= k ? 1 : 0)));
  return {
    hit,
    recall10: mean(outcomes.map((o) => o.recall)),
    mrr10: mean(outcomes.map((o) => (o.firstHitRank !== undefined && o.firstHitRank <= MRR_DEPTH ? 1 / o.firstHitRank : 0))),
  };
}

/** Nearest-rank percentile; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
