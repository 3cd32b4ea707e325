import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Turn } from '../chains/types.js';
import type { CitebotCore } from '../core.js';
import { CitebotError, oneLine } from '../errors.js';
import { collectLocalSources } from '../ingest/local-files.js';
import { log } from '../log.js';
import { writeAnswerStream } from './answer-text.js';

const HELP = `Ask a question, or:
  /ingest <path>    index a file or folder
  /sources          list what is indexed here
  /forget <file>    remove a document
  /help             this text
  /quit             leave`;

/** Turns kept as history for follow-ups: enough for "and the second one?", small enough to stay cheap. */
const HISTORY_TURNS = 6;

/**
 * The terminal adapter behind `citebot chat`: lines in, core calls, text out. The thinnest of the
 * adapters: the scope is fixed for the session and the conversation is the history.
 */
export async function runTerminalChat(core: CitebotCore, options: { scope: string; input: Readable; output: Writable }): Promise<void> {
  const { scope, output } = options;
  const write = (text: string) => void output.write(text);
  const lines = createInterface({ input: options.input, terminal: false });
  const history: Turn[] = [];
  write(`citebot chat · scope ${scope} · /help for commands\n> `);

  for await (const line of lines) {
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
        const docs = core.index.documents([scope]);
        write(
          docs.length
            ? docs.map((d) => `${d.source} · ${d.status} · ${d.chunkCount} chunks${d.error ? ` · ${d.error}` : ''}`).join('\n') + '\n'
            : 'Nothing is indexed here yet. Use /ingest <path>.\n',
        );
      } else if (text.startsWith('/forget')) {
        await forget(core, scope, text.slice('/forget'.length).trim(), write);
      } else if (text.startsWith('/')) {
        write(`Unknown command ${text.split(' ')[0]}. ${HELP}\n`);
      } else {
        await ask(core, scope, text, history, write);
      }
    } catch (error) {
      // The session survives every failure; the user gets one line.
      log.debug('chat command failed', { stack: (error as Error)?.stack });
      write(`Sorry: ${error instanceof CitebotError ? error.message : oneLine(error)}\n`);
    }
    write('> ');
  }
  lines.close();
}

async function ask(core: CitebotCore, scope: string, question: string, history: Turn[], write: (t: string) => void): Promise<void> {
  const chain = await core.answerChain();
  const answer = await writeAnswerStream(chain.stream({ question, scopes: [scope], history: history.slice(-HISTORY_TURNS) }), write);
  history.push({ role: 'user', content: question }, { role: 'assistant', content: answer.answer });
}

async function ingest(core: CitebotCore, scope: string, path: string, write: (t: string) => void): Promise<void> {
  if (!path) return write('Usage: /ingest <file or folder>\n');
  const { sources, missing } = await collectLocalSources([path], scope);
  if (missing.length) return write(`No such file or folder: ${missing.join(', ')}\n`);
  const indexer = await core.indexer();
  const results = await indexer.ingestAll(sources, ({ done, total, result }) => {
    if (result) write(`Indexed ${done}/${total} · ${result.source}: ${result.status}${result.error ? ` (${result.error})` : ''}\n`);
  });
  const chunks = results.reduce((n, r) => n + r.chunks, 0);
  const problems = results.filter((r) => r.status === 'failed' || r.status === 'skipped').length;
  write(`Done: ${results.length} files, ${chunks} chunks${problems ? `, ${problems} not indexed` : ''}.\n`);
}

async function forget(core: CitebotCore, scope: string, target: string, write: (t: string) => void): Promise<void> {
  if (!target) return write('Usage: /forget <file name or doc id>\n');
  const matches = core.index.findDocuments(target, scope);
  if (!matches.length) return write(`No document "${target}" here. /sources lists them.\n`);
  const index = core.index;
  for (const doc of matches) write(`Forgot ${doc.source} (${await index.forget(doc.scope, doc.docId)} chunks).\n`);
}
