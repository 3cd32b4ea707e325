import { ask } from '../app/ask.js';
import { emptyScopeWarning, scopesInUse } from '../app/scopes.js';
import { sayRerankerNoticeUnderAnswers } from '../chains/rerankers/unavailable-notice.js';
import type { Answer } from '../chains/types.js';
import { writeAnswerStream } from './answer-text.js';
import type { CitebotCore } from '../core.js';
import { printJson } from './output.js';

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

export function nothingIndexedHint(scope: string): string {
  const where = scope === 'local:default' ? '' : ` --scope ${scope}`;
  return `nothing is indexed yet. Fix: citebot ingest <files or folder>${where}, then ask again.`;
}

/** Ask one question; on a terminal the answer streams in as it is written. */
export async function askCommand(core: CitebotCore, question: string, options: { scope: string; json?: boolean }): Promise<number> {
  sayRerankerNoticeUnderAnswers();
  const events = ask(core, { question, scope: options.scope });
  const warning = await emptyScopeWarning(core, options.scope);
  if (warning) process.stderr.write(`citebot: warning: ${warning}\n`);
  // Before any ingest, the answer's "no files are indexed" is true but does not say what to run.
  if ((await scopesInUse(core)).length === 0) process.stderr.write(`citebot: ${nothingIndexedHint(options.scope)}\n`);
  if (!options.json) {
    await writeAnswerStream(events, (text) => process.stdout.write(text), process.stdout.isTTY);
    return 0;
  }
  let answer: Answer | undefined;
  for await (const event of events) if (event.type === 'answer') answer = event.answer;
  printJson(answerJson(answer!));
  return 0;
}
