#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError, loadSettings, redactSecrets } from './config.js';
import { CitebotCore } from './core.js';
import { CitebotError, oneLine } from './errors.js';
import { configureLog, log } from './log.js';
import { askCommand } from './cli/ask.js';
import { chatCommand } from './cli/chat.js';
import { discordRegisterCommand } from './cli/discord.js';
import { doctorCommand } from './cli/doctor.js';
import { evalCommand } from './cli/eval.js';
import { ExitCode, exitCodeFor } from './cli/exit-codes.js';
import { forgetCommand } from './cli/forget.js';
import { ingestCommand } from './cli/ingest.js';
import { reindexCommand } from './cli/reindex.js';
import { serveCommand } from './cli/serve.js';
import { sourcesCommand } from './cli/sources.js';

const DEFAULT_SCOPE = 'local:default';

/**
 * Build the core, run one command, always close the core, and turn errors into exit codes.
 * Ctrl-C stops a command where it is (the next run resumes it), unless the command handles signals
 * itself (`serve` shuts down in order; `chat` cancels the answer that is streaming).
 */
async function run(command: (core: CitebotCore) => Promise<number>, options: { handlesSignals?: boolean } = {}): Promise<void> {
  let core: CitebotCore | undefined;
  if (!options.handlesSignals) {
    const stop = (signal: NodeJS.Signals) => void core?.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  let code: number;
  try {
    const settings = loadSettings();
    // The process's entry point owns logging: the level, and secrets scrubbed from every line.
    configureLog({ level: settings.LOG_LEVEL, redact: (line) => redactSecrets(line, settings) });
    core = new CitebotCore(settings);
    code = await command(core);
  } catch (error) {
    code = report(error);
  } finally {
    await core?.close().catch(() => {});
  }
  process.exit(code);
}

function report(error: unknown): number {
  if (error instanceof ConfigError) for (const line of error.problems) process.stderr.write(`citebot: ${line}\n`);
  else if (error instanceof CitebotError) process.stderr.write(`citebot: ${error.message}\n`);
  else {
    log.debug('unexpected error', { stack: (error as Error)?.stack });
    process.stderr.write(`citebot: ${oneLine(error)}\n`);
  }
  return exitCodeFor(error);
}

const scopeOption = () => new Option('--scope <scope>', 'access scope of the documents').default(DEFAULT_SCOPE);

const program = new Command()
  .name('citebot')
  .description('Answers questions from the files shared in Slack and Discord channels, with citations.')
  .showHelpAfterError()
  // Usage errors exit with the documented code, not commander's default 1; help and --version stay 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : ExitCode.usage));

program
  .command('serve')
  .description('start citebot and the configured chat adapters')
  .action(() => run(serveCommand, { handlesSignals: true }));

program
  .command('ingest')
  .description('index files and folders (recursively) into a scope; a Slack export .zip with --scope slack:T:C imports that channel')
  .argument('<paths...>', 'files or folders, or one Slack workspace export (.zip)')
  .addOption(scopeOption())
  .option('--json', 'print the result as JSON')
  .option('--workspace-url <url>', 'Slack export: the workspace URL for permalinks, e.g. https://acme.slack.com/ (default: auth.test)')
  .action((paths: string[], options) => run((core) => ingestCommand(core, paths, options)));

program
  .command('sources')
  .description('list the indexed documents of a scope')
  .addOption(scopeOption())
  .option('--all', 'list every scope')
  .option('--json', 'print the result as JSON')
  .action((options) => run((core) => sourcesCommand(core, options)));

program
  .command('forget')
  .description('remove a document (by doc id or file name) from every index')
  .argument('<docIdOrSource>', 'document id or file name')
  .addOption(scopeOption())
  .option('--json', 'print the result as JSON')
  .action((target: string, options) => run((core) => forgetCommand(core, target, options)));

program
  .command('reindex')
  .description('re-embed every stored chunk with the current EMBED_MODEL (no original files needed)')
  .option('--json', 'print the result as JSON')
  .action((options) => run((core) => reindexCommand(core, options)));

program
  .command('ask')
  .description('answer a question from the files of a scope, with citations')
  .argument('<question>', 'the question')
  .addOption(scopeOption())
  .option('--json', 'print the answer as JSON (with citations and timings)')
  .action((question: string, options) => run((core) => askCommand(core, question, options)));

program
  .command('chat')
  .description('a conversation in the terminal: questions with follow-ups, /ingest, /sources, /forget')
  .addOption(scopeOption())
  .action((options) => run((core) => chatCommand(core, options)));

program
  .command('eval')
  .description('measure retrieval (hit@k, recall@10, MRR@10, latency) on a question set, per embedding model and reranker')
  .requiredOption(
    '--qa <file>',
    'questions: SQuAD JSON, or JSONL lines {question, answers[], context} (with --docs: {question, answers[], doc, part})',
  )
  .option('--docs <folder>', 'end to end: ingest these files and score whether the top citation comes from the gold document and section')
  .option('--limit <n>', 'ask only the first n questions (in file order)')
  .option('--answerable-only', 'skip questions without answers (SQuAD 2 impossible ones)')
  .option('--embed-models <models>', 'comma-separated embedding models to compare (default: EMBED_MODEL)')
  .option('--reranker <name>', 'reranker for the hybrid+reranker configuration: cross-encoder, http or none (default: RERANKER)')
  .option('--k <ks>', 'comma-separated k values of hit@k', '1,5,10')
  .option('--json', 'print the result as JSON')
  .option('--out <report.md>', 'also write a Markdown report, with a chart of hit rates as an SVG file next to it')
  .action((options) => run((core) => evalCommand(core, options)));

program
  .command('discord')
  .description('Discord set-up')
  .command('register')
  .description('register the slash commands (/ask, /ingest, /sources, /forget) with Discord')
  .option('--guild <id>', 'register in one guild: available at once (default: globally, which can take up to an hour)')
  .action((options: { guild?: string }) => run((core) => discordRegisterCommand(core.settings, options)));

program
  .command('doctor')
  .description('check Ollama, its models, Chroma, the index and the chat platforms')
  .option('--json', 'print the result as JSON')
  .action((options) => run((core) => doctorCommand(core, options)));

await program.parseAsync();
