import { createServer } from 'node:http';
import type { CitebotCore } from '../core.js';
import { oneLine } from '../errors.js';
import { log } from '../log.js';
import { startChatAdapters } from '../bots/chat-adapters.js';
import { mcpHttpHandler } from '../bots/mcp/http.js';
import { noteRerankerUnavailable } from '../chains/rerankers/unavailable-notice.js';
import { dependencyProbe } from '../health/dependency-probe.js';
import { Readiness } from '../health/readiness.js';

/**
 * Start the core and keep it running until SIGINT/SIGTERM. Dependencies that are down are
 * reported, not fatal: the service stays up so it can work as soon as they come back. `ready` means
 * "can answer a question now": the index is open and the embedding model, the chat model and Chroma answer.
 */
export async function serveCommand(core: CitebotCore, options: { retryMs?: number; version?: string } = {}): Promise<number> {
  const retryMs = options.retryMs ?? core.settings.HEALTH_CHECK_S * 1000;
  let indexOpen = false;
  const readiness = new Readiness(
    dependencyProbe(core),
    () => indexOpen,
    () =>
      log.info('core ready', {
        chroma: core.settings.CHROMA_URL ?? 'embedded',
        embedModel: core.settings.EMBED_MODEL,
        chatModel: core.settings.CHAT_MODEL,
      }),
  );
  const port = core.settings.HEALTH_PORT;
  const mcp = core.settings.MCP_HTTP === 'on' ? mcpHttpHandler(core, options.version ?? '') : undefined;
  // Health first: the container is alive even while a dependency is still starting.
  const server = port
    ? createServer((req, res) => {
        if (mcp && new URL(req.url ?? '/', 'http://localhost').pathname === '/mcp') return void mcp(req, res);
        if (req.url !== '/healthz') return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(readiness.report()));
      }).listen(port)
    : undefined;
  server?.on('listening', () => log.info(`health endpoint: http://127.0.0.1:${port}/healthz`));
  server?.on('error', (error) => log.warn(`health endpoint not started: ${oneLine(error)} (HEALTH_PORT=${port})`));
  if (mcp) server?.on('listening', () => log.info(`MCP endpoint: http://127.0.0.1:${port}/mcp (tokens: citebot token create)`));
  if (!port) log.info('health endpoint off (HEALTH_PORT=0)');
  const adapters = startChatAdapters(core);
  core.startBackgroundWork();

  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let warned = false;
  const connect = async () => {
    try {
      await core.openIndex();
      indexOpen = true;
      // An existing index opens without Ollama: `core ready` waits until every dependency has answered too.
      await readiness.check();
    } catch (error) {
      if (!warned) log.warn(`core not ready yet: ${oneLine(error)} (citebot keeps trying; \`citebot doctor\` checks every dependency)`);
      warned = true;
      if (!stopped) retry = setTimeout(connect, retryMs);
    }
  };
  void connect().then(() => readiness.start(retryMs));
  // Load and warm the reranker now, so the first question does not pay for it.
  void warmReranker(core);

  // serve runs until it is stopped, even when nothing else (no adapter, no health port) holds the event loop open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  stopped = true;
  clearTimeout(retry);
  readiness.stop();
  log.info('stopping');
  await adapters.stop();
  server?.close();
  return 0;
}

/** Load the reranker ahead of the first question; a failure is said once, the same line a question would log. */
export async function warmReranker(core: CitebotCore): Promise<void> {
  const reranker = core.reranker;
  if (!reranker) return;
  await reranker.load().then(
    () => log.info(`reranker ready: ${reranker.name}`),
    (error: unknown) => noteRerankerUnavailable(reranker, oneLine(error)),
  );
}
