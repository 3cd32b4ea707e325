import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { authorize } from '../../app/tokens.js';
import type { CitebotCore } from '../../core.js';
import { log } from '../../log.js';
import { AgentLimits } from './limits.js';
import { createMcpServer } from './server.js';

export interface StdioOptions {
  token: string | undefined;
  /** Patterns narrowing the token's scopes (never widening them). */
  scope?: string;
  version: string;
  /** Called once the token is accepted and the server is serving. */
  onServing?: () => void;
}

/**
 * citebot as an MCP server on stdin/stdout, for a local agent that starts it. The token is checked
 * before serving (a bad one ends the process with the reason) and again on every tool call.
 * Resolves when the client closes the connection.
 */
export async function serveMcpStdio(core: CitebotCore, options: StdioOptions): Promise<void> {
  const access = () => authorize(core, options.token, options.scope);
  const first = await access();
  const server = createMcpServer({ core, limits: new AgentLimits(core.settings), access, version: options.version });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    // The client going away closes stdin; the transport does not notice that by itself.
    process.stdin.once('end', () => void server.close());
  });
  await server.connect(transport);
  options.onServing?.();
  log.info(`mcp: serving on stdio with token "${first.name}" (${first.patterns.join(', ')})`);
  await closed;
}
