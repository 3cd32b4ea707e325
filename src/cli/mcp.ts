import { serveMcpStdio } from '../bots/mcp/stdio.js';
import type { CitebotCore } from '../core.js';
import { warmReranker } from './serve.js';

/** `citebot mcp`: an MCP server on stdio for a local agent, with the token from --token or CITEBOT_TOKEN. */
export async function mcpCommand(core: CitebotCore, options: { token?: string; scope?: string; version: string }): Promise<number> {
  await serveMcpStdio(core, {
    token: options.token ?? process.env.CITEBOT_TOKEN,
    scope: options.scope,
    version: options.version,
    // Once the token is accepted: the first question should not pay for loading the reranker.
    onServing: () => void warmReranker(core),
  });
  return 0;
}
