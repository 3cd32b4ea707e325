import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { answerJson } from '../../app/answer-json.js';
import { ask } from '../../app/ask.js';
import { search } from '../../app/search.js';
import { documentState, scopeSources } from '../../app/sources.js';
import { readableScopes, type AgentAccess } from '../../app/tokens.js';
import type { Answer } from '../../chains/types.js';
import type { CitebotCore } from '../../core.js';
import { CitebotError, isCitebotError, oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { patternCovers } from '../../scope-patterns.js';
import type { AgentLimits } from './limits.js';
import { askInput, askOutput, searchInput, searchOutput, sourcesOutput } from './schemas.js';

export interface McpContext {
  core: CitebotCore;
  limits: AgentLimits;
  /** The caller's access, checked for each tool call (a token revoked mid-session stops at its next call). */
  access: () => Promise<AgentAccess>;
  version: string;
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, openWorldHint: false } as const;

/** A failure as an MCP tool error: the reason and the fix, one line; never a stack trace. */
function toolError(error: unknown, tool: string): CallToolResult {
  if (!isCitebotError(error)) log.warn(`mcp ${tool} failed: ${oneLine(error)}`, { stack: (error as Error)?.stack });
  const text = isCitebotError(error) ? error.message : `${tool} failed: ${oneLine(error)}. Fix: try again; the operator's log has details`;
  return { content: [{ type: 'text', text }], isError: true };
}

/** A result with its structured content, and the same as JSON text for clients that read only text. */
function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * citebot as MCP tools: `search`, `ask` and `sources`, each over exactly the scopes the caller's token
 * grants plus what SHARED_SCOPES shares with them. One server per stdio process or per HTTP request.
 */
export function createMcpServer(context: McpContext): McpServer {
  const { core, limits } = context;
  const bounds = { maxQuestionChars: core.settings.MCP_MAX_QUESTION_CHARS, maxK: core.settings.MCP_MAX_K };
  const server = new McpServer({ name: 'citebot', version: context.version });

  const call = async (tool: string, work: (access: AgentAccess) => Promise<Record<string, unknown>>): Promise<CallToolResult> => {
    try {
      const access = await context.access();
      limits.admit(access.tokenId, access.name);
      return toolResult(await work(access));
    } catch (error) {
      return toolError(error, tool);
    }
  };
  const scopesOrThrow = async (access: AgentAccess, scope?: string): Promise<string[]> => {
    const scopes = await readableScopes(core, access, scope);
    if (scopes.length === 0)
      throw new CitebotError(
        'not_found',
        `nothing is indexed in the scopes token "${access.name}" grants (${access.patterns.join(', ')})`,
        {
          fix: 'ingest files or a channel there first (citebot ingest, /ingest in the channel)',
        },
      );
    return scopes;
  };

  server.registerTool(
    'search',
    {
      title: 'Search team knowledge',
      description:
        'Search the files and chat messages this token may read (hybrid keyword + semantic retrieval, reranked). Returns passages best first, each with source, location (page, slide, heading), url, relevance score, a snippet and the passage text: quote from `text` and cite as [source, location](url). No language model is called, so it is fast: use it to gather evidence, then answer yourself. Empty `passages` means nothing readable is relevant; `closest` then names where to look. `degraded` says when retrieval ran in a reduced mode.',
      inputSchema: searchInput(bounds),
      outputSchema: searchOutput,
      annotations: { title: 'Search team knowledge', ...READ_ONLY },
    },
    ({ query, k, scope }) =>
      call('search', async (access) => {
        const scopes = await scopesOrThrow(access, scope);
        return { scopes, ...(await search(core, { query, scopes, k })) };
      }),
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask with citations',
      description:
        'Answer a question from the files and chat messages this token may read: citebot retrieves, reranks and has its language model write a short answer whose every [n] matches an entry of `citations` (source, location, url, snippet). Slower than search (a model call: seconds, up to a minute). `noEvidence: true` means nothing readable covers the question and no model was asked; `degraded` says when the answer is a fallback (e.g. quoted passages while the model is down).',
      inputSchema: askInput(bounds),
      outputSchema: askOutput,
      annotations: { title: 'Ask with citations', ...READ_ONLY },
    },
    ({ question, scope }) =>
      call('ask', async (access) => {
        const readable = await scopesOrThrow(access, scope);
        return limits.withAskSlot(access.tokenId, access.name, async () => {
          let answer: Answer | undefined;
          for await (const event of ask(core, { question, scope: readable[0]!, readable }))
            if (event.type === 'answer') answer = event.answer;
          if (!answer) throw new Error('the answer stream ended without an answer');
          return answerJson(answer);
        });
      }),
  );

  server.registerTool(
    'sources',
    {
      title: 'Readable sources',
      description:
        'List what this token may read: each scope (a Slack or Discord channel, or a local collection) with its indexed files and how many conversation documents it holds. Call it first to learn which scopes exist, then pass one as `scope` to search or ask to look only there.',
      outputSchema: sourcesOutput,
      annotations: { title: 'Readable sources', ...READ_ONLY },
    },
    () =>
      call('sources', async (access) => ({
        token: access.name,
        grants: access.patterns,
        scopes: await Promise.all(
          (await readableScopes(core, access)).map(async (scope) => {
            const group = await scopeSources(core, scope, true);
            return {
              scope,
              shared: !access.patterns.some((p) => patternCovers(p, scope)),
              documents: group.documents.map((d) => ({
                docId: d.docId,
                source: d.source,
                url: d.url,
                status: documentState(d),
                chunks: d.chunkCount,
              })),
              conversationDocuments: group.conversationDocuments,
            };
          }),
        ),
      })),
  );
  return server;
}
