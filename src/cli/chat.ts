import { runTerminalChat } from './terminal-chat.js';
import type { CitebotCore } from '../core.js';

export async function chatCommand(core: CitebotCore, options: { scope: string }): Promise<number> {
  await runTerminalChat(core, { scope: options.scope, input: process.stdin, output: process.stdout });
  return 0;
}
