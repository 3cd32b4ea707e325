import { sayRerankerNoticeUnderAnswers } from '../chains/rerankers/unavailable-notice.js';
import { runTerminalChat } from './terminal-chat.js';
import type { CitebotCore } from '../core.js';

export async function chatCommand(core: CitebotCore, options: { scope: string }): Promise<number> {
  sayRerankerNoticeUnderAnswers();
  // The CLI runs chat with handlesSignals: Ctrl-C cancels an answer here instead of ending the process.
  await runTerminalChat(core, { scope: options.scope, input: process.stdin, output: process.stdout, interrupts: process });
  return 0;
}
