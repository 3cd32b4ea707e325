import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { resolve } from 'node:path';
import { ask } from '../app/ask.js';
import { forgetDocument } from '../app/forget.js';
import { ingestPaths, ingestReport } from '../app/ingest.js';
import { readableSources } from '../app/sources.js';
import type { Turn } from '../chains/types.js';
import type { CitebotCore } from '../core.js';
import { CitebotError, oneLine } from '../errors.js';
import { log } from '../log.js';
import { writeAnswerStream } from './answer-text.js';
import { forgetLines, ingestTotalsLine, sourcesLines } from './command-text.js';

const HELP = `Ask a question, or:
  /ingest <path>    index a file or folder
  /sources          list what is indexed here
  /forget <file>    remove a document
  /help             this text
  /quit             leave`;

/** Turns kept as history for follow-ups: enough for "and the second one?", small enough to stay cheap. */
const HISTORY_TURNS = 6;

/**
 * `citebot chat`: lines in, the same commands as the CLI (src/app), text out. The scope is fixed
 * for the session and the conversation is the history.
 */
export async function runTerminalChat(
  core: CitebotCore,
  options: {
    scope: string;
    input: Readable;
    output: Writable;
    /** The process: 'SIGINT' (Ctrl-C) cancels the answer being written, and twice at the prompt ends the session; 'SIGTERM' ends it. */
    interrupts?: NodeJS.EventEmitter;
  },
): Promise<void> {
  const { scope, output } = options;
  const write = (text: string) => void output.write(text);
  const lines = createInterface({ input: options.input, terminal: false });
  const history: Turn[] = [];
  let answering: AbortController | undefined;
  let interruptedAtPrompt = false;
  const onInterrupt = () => {
    if (answering) return answering.abort();
    if (interruptedAtPrompt) return lines.close();
    interruptedAtPrompt = true;
    write('\n(Ctrl-C again or /quit to leave)\n> ');
  };
  const onTerminate = () => lines.close();
  options.interrupts?.on('SIGINT', onInterrupt);
  options.interrupts?.on('SIGTERM', onTerminate);
  write(`citebot chat · scope ${scope} · /help for commands\n> `);

  for await (const line of lines) {
    interruptedAtPrompt = false;
    const text = line.trim();
    try {
      if (!text) {
        // nothing to do
      } else if (text === '/quit' || text === '/exit') {
        break;
      } else if (text === '/help') {
        write(HELP + '\n');
      } else if (text.startsWith('/ingest')) {
        await ingest(core, scope, text.slice('/ingest'.length).trim(), write);
      } else if (text === '/sources') {
        write(sourcesLines(await readableSources(core, scope), '/ingest <path>').join('\n') + '\n');
      } else if (text.startsWith('/forget')) {
        await forget(core, scope, text.slice('/forget'.length).trim(), write);
      } else if (text.startsWith('/')) {
        write(`Unknown command ${text.split(' ')[0]}. ${HELP}\n`);
      } else {
        answering = new AbortController();
        await answer(core, scope, text, history, write, answering.signal);
      }
    } catch (error) {
      // The session survives every failure; the user gets one line.
      log.debug('chat command failed', { stack: (error as Error)?.stack });
      if (error instanceof AnswerCancelled) write('\n(answer cancelled)\n');
      else write(`Sorry: ${error instanceof CitebotError ? error.message : oneLine(error)}\n`);
    } finally {
      answering = undefined;
    }
    write('> ');
  }
  options.interrupts?.off('SIGINT', onInterrupt);
  options.interrupts?.off('SIGTERM', onTerminate);
  lines.close();
}

class AnswerCancelled extends Error {}

/** The answer's events until `signal` aborts; then the stream is closed (the model call with it) and AnswerCancelled thrown. */
async function* untilAborted<T>(events: AsyncGenerator<T>, signal: AbortSignal): AsyncGenerator<T> {
  const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new AnswerCancelled()), { once: true }));
  aborted.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([events.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Not awaited: the stream finishes its current step in the background and stops there.
    if (signal.aborted) void events.return(undefined).catch(() => {});
  }
}

async function answer(
  core: CitebotCore,
  scope: string,
  question: string,
  history: Turn[],
  write: (t: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const events = ask(core, { question, scope, history: history.slice(-HISTORY_TURNS) });
  const answer = await writeAnswerStream(untilAborted(events, signal), write);
  history.push({ role: 'user', content: question }, { role: 'assistant', content: answer.answer });
}

async function ingest(core: CitebotCore, scope: string, path: string, write: (t: string) => void): Promise<void> {
  if (!path) return write('Usage: /ingest <file or folder>\n');
  const rows = await ingestPaths(core, [path], scope, ({ done, total, result }) => {
    if (result) write(`Indexed ${done}/${total} · ${result.source}: ${result.status}${result.error ? ` (${result.error})` : ''}\n`);
  });
  const missing = rows.filter((r) => r.error === 'no such file or folder');
  if (missing.length) write(`No such file or folder: ${missing.map((r) => r.path).join(', ')}\n`);
  write(ingestTotalsLine(ingestReport(rows), scope) + '\n');
}

async function forget(core: CitebotCore, scope: string, target: string, write: (t: string) => void): Promise<void> {
  if (!target) return write('Usage: /forget <file name, path or doc id>\n');
  const outcome = await forgetDocument(core, { scope, target, paths: [resolve(target)] });
  write(forgetLines(outcome, target, scope, '/sources').join('\n') + '\n');
}
