import { ask } from '../app/ask.js';
import { emptyScopeWarning, scopesInUse } from '../app/scopes.js';
import { sayRerankerNoticeUnderAnswers } from '../chains/rerankers/unavailable-notice.js';
import type { Answer } from '../chains/types.js';
import { answerJson } from '../app/answer-json.js';
import { writeAnswerStream } from './answer-text.js';
import type { CitebotCore } from '../core.js';
import { printJson } from './output.js';

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
