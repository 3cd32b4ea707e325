#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadSettings, redactSecrets } from './config.js';
import type { CitebotCore } from './core.js';
import { CitebotError, oneLine } from './errors.js';
import { configureLog, log } from './log.js';
import type { CommandContext } from './cli/command-context.js';
import { ExitCode, exitCodeFor } from './cli/exit-codes.js';
import { exitQuietlyWhenOutputCloses } from './cli/output.js';
import { scopeProblem } from './scope-names.js';

const DEFAULT_SCOPE = 'local:default';

/**
 * Each command's module is loaded when it runs: `--help`, `ask` or `sources` need not load Bolt,
 * discord.js, the MCP SDK or the evaluation code (a CLI start is most of a short command's time).
 *
 * Build the core, run one command, always close the core, and turn errors into exit codes.
 * Ctrl-C stops a command where it is (the next run resumes it, and the command may say what was
 * kept), unless the command handles signals itself (`serve` shuts down in order; `chat` cancels the
 * answer that is streaming).
 */
async function run(
  command: (core: CitebotCore, context: CommandContext) => Promise<number>,
  options: { handlesSignals?: boolean; /** `eval --apply` creates the CITEBOT_CONFIG file. */ settingsFileMayBeMissing?: boolean } = {},
): Promise<void> {
  let core: CitebotCore | undefined;
  let interruptNote: (() => string) | undefined;
  const close = (code: number) => void (core?.close() ?? Promise.resolve()).catch(() => {}).finally(() => process.exit(code));
  // A reader that stops reading (`citebot doctor | head`) ends the command, as SIGPIPE would, without a stack trace.
  exitQuietlyWhenOutputCloses(() => close(0));
  if (!options.handlesSignals) {
    const stop = (signal: NodeJS.Signals) => {
      const note = interruptNote?.();
      if (note) process.stderr.write(`\n${note}\n`);
      close(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  let code: number;
  try {
    const settings = loadSettings({
      settingsFileMayBeMissing: options.settingsFileMayBeMissing,
      onWarning: (line) => process.stderr.write(`citebot: warning: ${line}\n`),
    });
    // The process's entry point owns logging: the level, and secrets scrubbed from every line.
    configureLog({ level: settings.LOG_LEVEL, redact: (line) => redactSecrets(line, settings) });
    const [{ CitebotCore }, { registerJobHandlers }] = await Promise.all([import('./core.js'), import('./app/jobs.js')]);
    core = new CitebotCore(settings);
    registerJobHandlers(core);
    code = await command(core, { onInterrupt: (note) => (interruptNote = note) });
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

/** A scope as typed: refused with the expected forms when it is not one (commander exits 2). */
function parseScope(value: string): string {
  const problem = scopeProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

function parsePostgresUrl(value: string): string {
  if (!/^postgres(ql)?:\/\/[^/]+\/[^/]+/u.test(value))
    throw new InvalidArgumentError('expected postgres://user:password@host:5432/database');
  return value;
}

const scopeOption = () =>
  new Option('--scope <scope>', 'access scope: local:<name>, slack:<team>:<channel> or discord:<guild>:<channel>')
    .default(DEFAULT_SCOPE)
    .argParser(parseScope);

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('citebot')
  .description('Answers questions from the files shared in Slack and Discord channels, with citations.')
  .version(packageJson.version, '-V, --version', 'print the version')
  .showHelpAfterError('(citebot --help lists the commands; citebot <command> --help their options)')
  // Usage errors exit with the documented code, not commander's default 1; help and --version stay 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : ExitCode.usage))
  .addHelpText(
    'after',
    `
Examples:
  citebot ingest examples/handbook              index a folder into scope local:default
  citebot ask "How many vacation days do new employees get?"
  citebot chat                                  questions with follow-ups in the terminal
  citebot doctor                                check Ollama, the models and Chroma
  citebot serve                                 run the Slack and Discord bots

Settings come from the environment, .env, the YAML file named by CITEBOT_CONFIG, then
config/defaults.yaml, which documents every one (README.md, "Configuration").
Exit codes: 0 ok, 1 partly done, 2 bad arguments or settings, 3 a service is unavailable.`,
  )
  // A bare `citebot` is a request for help, not a mistake.
  .action(() => program.help());

program
  .command('serve')
  .description('start citebot and the configured chat adapters')
  .action(() =>
    run(async (core) => (await import('./cli/serve.js')).serveCommand(core, { version: packageJson.version }), { handlesSignals: true }),
  );

program
  .command('ingest')
  .description('index files and folders (recursively) into a scope; a Slack export .zip with --scope slack:T:C imports that channel')
  .argument('<paths...>', 'files or folders, or one Slack workspace export (.zip)')
  .addOption(scopeOption())
  .option('--json', 'print the result as JSON')
  .option('--workspace-url <url>', 'Slack export: the workspace URL for permalinks, e.g. https://acme.slack.com/ (default: auth.test)')
  .action((paths: string[], options) =>
    run(async (core, context) => (await import('./cli/ingest.js')).ingestCommand(core, paths, options, context)),
  );

program
  .command('sources')
  .description('list the indexed documents of a scope')
  .addOption(scopeOption())
  .option('--all', 'list every scope')
  .option('--json', 'print the result as JSON')
  .action((options) => run(async (core) => (await import('./cli/sources.js')).sourcesCommand(core, options)));

program
  .command('forget')
  .description('remove a document (by its path, doc id or file name) from every index')
  .argument('<document>', 'the path ingest printed, the doc id sources shows, or the file name')
  .addOption(scopeOption())
  .option('--json', 'print the result as JSON')
  .action((target: string, options) => run(async (core) => (await import('./cli/forget.js')).forgetCommand(core, target, options)));

program
  .command('feedback')
  .description('list the 👍/👎 people gave answers in chat, newest first, with what went wrong, the question, answer, sources and model')
  .addOption(
    new Option('--scope <scope>', 'only answers asked in this scope, e.g. slack:T0123:C0456 (default: every scope)').argParser(parseScope),
  )
  .option('--since <when>', 'only feedback from this date (2026-12-01) or this long ago (12h, 7d, 2w)')
  .option('--json', 'print the result as JSON')
  .action((options) => run(async (core) => (await import('./cli/feedback.js')).feedbackCommand(core, options)));

program
  .command('reindex')
  .description('re-embed every stored chunk with the current EMBED_MODEL (no original files needed)')
  .option('--json', 'print the result as JSON')
  .action((options) => run(async (core) => (await import('./cli/reindex.js')).reindexCommand(core, options)));

program
  .command('ask')
  .description('answer a question from the files of a scope, with citations')
  .argument('<question>', 'the question')
  .addOption(scopeOption())
  .option('--json', 'print the answer as JSON (with citations and timings)')
  .action((question: string, options) => run(async (core) => (await import('./cli/ask.js')).askCommand(core, question, options)));

program
  .command('chat')
  .description('a conversation in the terminal: questions with follow-ups, /ingest, /sources, /forget')
  .addOption(scopeOption())
  .action((options) => run(async (core) => (await import('./cli/chat.js')).chatCommand(core, options), { handlesSignals: true }));

program
  .command('eval')
  .description('measure retrieval (hit@k, recall@10, MRR@10, latency) on a question set, per embedding model and reranker')
  .option(
    '--qa <file>',
    '(required) questions: SQuAD JSON, or JSONL lines {question, answers[], context} (with --docs: {question, answers[], doc, part})',
  )
  .option('--generate <n>', "instead of --qa: make n questions from the scope's own chunks and calibrate the retrieval settings on them")
  .option('--scope <scope>', 'with --generate: the scope whose documents the questions come from', DEFAULT_SCOPE)
  .option('--apply', 'with --generate: write the recommended settings to the CITEBOT_CONFIG file (created if missing)')
  .option('--max-ms <ms>', 'with --generate: recommend only settings whose p95 retrieval latency is at most this (default 1500)')
  .option('--docs <folder>', 'end to end: ingest these files and score whether the top citation comes from the gold document and section')
  .option('--limit <n>', 'ask only the first n questions (in file order)')
  .option('--answerable-only', 'skip questions without answers (SQuAD 2 impossible ones)')
  .option('--embed-models <models>', 'comma-separated embedding models to compare (default: EMBED_MODEL)')
  .option('--reranker <name>', 'reranker for the hybrid+reranker configuration: cross-encoder, http or none (default: RERANKER)')
  .option('--k <ks>', 'comma-separated k values of hit@k', '1,5,10')
  .option('--json', 'print the result as JSON')
  .option('--out <report.md>', 'also write a Markdown report, with a chart of hit rates as an SVG file next to it')
  .action((options) =>
    run(async (core) => (await import('./cli/eval.js')).evalCommand(core, options), { settingsFileMayBeMissing: Boolean(options.apply) }),
  );

program
  .command('discord')
  .description('Discord set-up')
  .command('register')
  .description('register the slash commands (/ask, /ingest, /sources, /forget) with Discord')
  .option('--guild <id>', 'register in one guild: available at once (default: globally, which can take up to an hour)')
  .action((options: { guild?: string }) =>
    run(async (core) => (await import('./cli/discord.js')).discordRegisterCommand(core.settings, options)),
  );

program
  .command('mcp')
  .description('serve search, ask and sources to a local agent over MCP (stdio); needs a token from `citebot token create`')
  .option('--token <token>', 'the access token (default: the CITEBOT_TOKEN environment variable)')
  .option('--scope <patterns>', "narrow the token's scopes, e.g. slack:T1:C1 (comma-separated; never wider than the token)")
  .action((options: { token?: string; scope?: string }) =>
    run(async (core) => (await import('./cli/mcp.js')).mcpCommand(core, { ...options, version: packageJson.version })),
  );

const token = program.command('token').description('access tokens for agents (citebot mcp and /mcp on citebot serve)');
token
  .command('create')
  .description('create a token and print it once; it reads the given scopes plus what SHARED_SCOPES shares with them')
  .requiredOption('--name <name>', 'a name to list and revoke it by, e.g. claude-desktop')
  .requiredOption('--scopes <patterns>', 'comma-separated scopes or wildcards, e.g. "slack:T0123:C0456,local:*"')
  .option('--expires <duration>', 'expire after this long: 12h, 30d, 8w (default: until revoked)')
  .option('--json', 'print the token and its record as JSON')
  .action((options: { name: string; scopes: string; expires?: string; json?: boolean }) =>
    run(async (core) => (await import('./cli/token.js')).tokenCreateCommand(core, options)),
  );
token
  .command('list')
  .description('list the tokens (never their secrets): scopes, state, expiry, last use')
  .option('--json', 'print the result as JSON')
  .action((options: { json?: boolean }) => run(async (core) => (await import('./cli/token.js')).tokenListCommand(core, options)));
token
  .command('revoke')
  .description('revoke a token by name or id: agents using it are refused from their next request')
  .argument('<token>', 'the name or id `citebot token list` shows')
  .option('--json', 'print the revoked token as JSON')
  .action((nameOrId: string, options: { json?: boolean }) =>
    run(async (core) => (await import('./cli/token.js')).tokenRevokeCommand(core, nameOrId, options)),
  );

const state = program.command('state').description("citebot's own state (documents, chunks, answers, threads, settings, tokens)");
state
  .command('copy')
  .description(
    'copy the SQLite state under DATA_DIR into PostgreSQL, to run replicas on it; nothing is re-embedded, a second run copies nothing',
  )
  .requiredOption('--to <url>', 'PostgreSQL to copy into: postgres://user:password@host:5432/database', parsePostgresUrl)
  .option('--json', 'print what was copied as JSON')
  .action((options: { to: string; json?: boolean }) =>
    run(async (core) => (await import('./cli/state.js')).stateCopyCommand(core, options)),
  );

program
  .command('doctor')
  .description('check Ollama, its models, Chroma, the index and the chat platforms')
  .option('--json', 'print the result as JSON')
  .action((options) => run(async (core) => (await import('./cli/doctor.js')).doctorCommand(core, options)));

await program.parseAsync();
