import { plainSources } from '../bots/answer-text.js';
import type { Answer } from '../chains/types.js';
import type { CitebotCore } from '../core.js';
import { printJson } from './output.js';

/** The JSON contract of `citebot ask --json` (DESIGN.md). */
export function answerJson(answer: Answer) {
  const cite = ({ n, source, url, location, chunkId, score, snippet }: Answer['citations'][number]) => ({ n, source, url, location, chunkId, score, snippet });
  return {
    answer: answer.answer,
    citations: answer.citations.map(cite),
    alsoRelevant: answer.alsoRelevant.map(cite),
    ...(answer.degraded?.length ? { degraded: answer.degraded } : {}),
    ...(answer.noEvidence ? { noEvidence: true } : {}),
    searchedQuestion: answer.searchedQuestion,
    timings: answer.timings,
  };
}

/** Ask one question; on a terminal the answer streams in as it is written. */
export async function askCommand(core: CitebotCore, question: string, options: { scope: string; json?: boolean }): Promise<number> {
  const chain = await core.answerChain();
  const live = !options.json && process.stdout.isTTY;
  let printed = '';
  let final: Answer | undefined;
  for await (const event of chain.stream({ question, scopes: [options.scope] })) {
    if (event.type === 'answer') final = event.answer;
    else if (live && event.text.startsWith(printed)) {
      process.stdout.write(event.text.slice(printed.length));
      printed = event.text;
    }
  }
  const answer = final!;
  if (options.json) {
    printJson(answerJson(answer));
    return 0;
  }
  // The final text is verified and renumbered; print it whole unless the stream already showed it.
  if (answer.answer.startsWith(printed) && printed) process.stdout.write(answer.answer.slice(printed.length) + '\n');
  else process.stdout.write((printed ? '\n\n' : '') + answer.answer + '\n');
  const sources = plainSources(answer);
  if (sources) process.stdout.write('\n' + sources + '\n');
  return 0;
}
