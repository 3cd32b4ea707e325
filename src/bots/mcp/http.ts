import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { authorize, type AgentAccess } from '../../app/tokens.js';
import type { CitebotCore } from '../../core.js';
import { isCitebotError, oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { AgentLimits } from './limits.js';
import { createMcpServer } from './server.js';

const BEARER = /^Bearer\s+(\S+)\s*$/iu;
/** The largest request body read (the SDK's own transport reads any size); inputs are bounded far below it. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The request's JSON body, or why there is none: read here so its size is bounded. */
async function readJson(req: IncomingMessage): Promise<{ body: unknown } | { status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { status: 413, message: `the request body is over ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { status: 400, message: 'the request body is not JSON (an MCP JSON-RPC message)' };
  }
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: message }));
}

/**
 * `/mcp` on `citebot serve`: MCP over Streamable HTTP, stateless. Every POST carries its token
 * (`Authorization: Bearer …`), checked before anything else: none, unknown, revoked or expired is a 401.
 * Each request gets its own server and transport, so nothing of one caller's access outlives its request.
 */
export function mcpHttpHandler(core: CitebotCore, version: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limits = new AgentLimits(core.settings);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
    if (req.method !== 'POST') return refuse(res, 405, 'use POST for MCP requests', { allow: 'POST' });
    let access: AgentAccess;
    try {
      access = await authorize(core, BEARER.exec(req.headers.authorization ?? '')?.[1]);
    } catch (error) {
      // Anything but a refused token (the database unreadable, say) is the server's failure, not the caller's.
      if (!isCitebotError(error, 'unauthorized')) throw error;
      return refuse(res, 401, error.message, { 'www-authenticate': 'Bearer realm="citebot", error="invalid_token"' });
    }
    const read = await readJson(req);
    if ('status' in read) return refuse(res, read.status, read.message);
    const server = createMcpServer({ core, limits, access: async () => access, version });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, read.body);
  };
  // A request that fails (a client that hangs up mid-body, a database error) is logged; serve keeps running.
  return (req, res) =>
    handle(req, res).catch((error: unknown) => {
      log.warn(`mcp request failed: ${oneLine(error)}`);
      if (!res.headersSent) refuse(res, 500, 'the MCP request failed; the server log has details');
    });
}
