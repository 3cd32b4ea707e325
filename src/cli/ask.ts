import { ask } from '../app/ask.js';
import { emptyScopeWarning } from '../app/scopes.js';
import type { Answer } from '../chains/types.js';
import { answerJson } from '../app/answer-json.js';
import { writeAnswerStream } from './answer-text.js';
import type { CitebotCore } from '../core.js';
import { printJson } from './output.js';

/** Ask one question; on a terminal the answer streams in as it is written. */
export async function askCommand(core: CitebotCore, question: string, options: { scope: string; json?: boolean }): Promise<number> {
  const events = ask(core, { question, scope: options.scope });
  const warning = emptyScopeWarning(core, options.scope);
  if (warning) process.stderr.write(`citebot: warning: ${warning}\n`);
  if (!options.json) {
    await writeAnswerStream(events, (text) => process.stdout.write(text), process.stdout.isTTY);
    return 0;
  }
  let answer: Answer | undefined;
  for await (const event of events) if (event.type === 'answer') answer = event.answer;
  printJson(answerJson(answer!));
  return 0;
}
