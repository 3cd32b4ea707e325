import type { Answer } from '../chains/types.js';

/** The JSON contract of `citebot ask --json` (DESIGN.md). */
export function answerJson(answer: Answer) {
  const cite = ({ n, source, url, location, chunkId, score, snippet }: Answer['citations'][number]) => ({
    n,
    source,
    url,
    location,
    chunkId,
    score,
    snippet,
  });
  return {
    // The question's id: debug logs (e.g. dropped citations) name it.
    id: answer.id,
    answer: answer.answer,
    citations: answer.citations.map(cite),
    alsoRelevant: answer.alsoRelevant.map(cite),
    ...(answer.degraded?.length ? { degraded: answer.degraded } : {}),
    ...(answer.noEvidence ? { noEvidence: true } : {}),
    searchedQuestion: answer.searchedQuestion,
    droppedCitations: answer.droppedCitations,
    timings: answer.timings,
  };
}
