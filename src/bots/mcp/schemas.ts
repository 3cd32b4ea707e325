import { z } from 'zod';

/** The bounds tool inputs are checked against (MCP_MAX_QUESTION_CHARS, MCP_MAX_K). */
export interface InputBounds {
  maxQuestionChars: number;
  maxK: number;
}

const scope = z
  .string()
  .optional()
  .describe('Optional: read only this scope (one the sources tool lists, e.g. slack:T0123:C0456) and what is shared with it.');

const text = (what: string, bounds: InputBounds) =>
  z
    .string()
    .trim()
    .min(1, `the ${what} is empty: write what to look for`)
    .max(bounds.maxQuestionChars, `the ${what} is longer than ${bounds.maxQuestionChars} characters: shorten it`);

export function searchInput(bounds: InputBounds) {
  return {
    query: text('query', bounds).describe('What to look for, in words (English or Chinese); names and codes are matched exactly too.'),
    k: z
      .number()
      .int('k must be a whole number')
      .min(1, 'k must be at least 1')
      .max(bounds.maxK, `k may be at most ${bounds.maxK}: ask for fewer passages`)
      .optional()
      .describe(`How many passages at most (1-${bounds.maxK}); default: as many as ask would use.`),
    scope,
  };
}

export function askInput(bounds: InputBounds) {
  return {
    question: text('question', bounds).describe('The question, as a person would ask it in the channel.'),
    scope,
  };
}

const degradation = z.object({ type: z.string(), message: z.string() });

const citation = {
  n: z.number().int().describe('The number [n] used in the answer (or the rank, for search).'),
  source: z.string().describe('File name, or the channel conversation the passage comes from.'),
  url: z.string().describe('Where a person can open it: a Slack or Discord link, or a file path.'),
  location: z.string().describe('Place in the file: "p. 3", "slide 4", "sheet Budget", a heading path; "" when none.'),
  chunkId: z.string(),
  score: z.number().describe('Relevance, 0..1 from the reranker (or the fusion score when no reranker ran).'),
  snippet: z.string().describe('A short excerpt.'),
};

const passage = z.object({
  ...citation,
  docId: z.string(),
  scope: z.string().describe('The access scope the passage lives in.'),
  text: z.string().describe('The passage itself.'),
});

export const searchOutput = {
  scopes: z.array(z.string()).describe('The scopes that were searched.'),
  passages: z.array(passage).describe('Relevant passages, best first; empty when nothing is relevant enough.'),
  closest: z.array(passage).describe('When passages is empty: the nearest candidates, which did not pass the relevance threshold.'),
  degraded: z.array(degradation).describe('Why this search ran in a reduced mode (e.g. keyword-only while the embedding model is down).'),
  timings: z.object({ retrieveMs: z.number(), rerankMs: z.number(), totalMs: z.number() }),
};

const citationObject = z.object(citation);

/** The same fields as `citebot ask --json`. */
export const askOutput = {
  id: z.string(),
  answer: z.string().describe('The answer; every [n] in it matches a citation with that n.'),
  citations: z.array(citationObject),
  alsoRelevant: z.array(citationObject).describe('Sources retrieved but not cited.'),
  degraded: z.array(degradation).optional(),
  noEvidence: z.boolean().optional().describe('True when nothing readable was relevant: no model was asked.'),
  searchedQuestion: z.string(),
  droppedCitations: z.number().int().describe('Citations the model invented that matched no source, removed.'),
  timings: z.object({ retrieveMs: z.number(), rerankMs: z.number(), generateMs: z.number(), totalMs: z.number() }),
};

export const sourcesOutput = {
  token: z.string().describe("The token's name."),
  grants: z.array(z.string()).describe('The scope patterns the token grants (e.g. slack:T0123:C0456, local:*).'),
  scopes: z.array(
    z.object({
      scope: z.string(),
      shared: z.boolean().describe('True when readable only because SHARED_SCOPES shares it with a granted scope.'),
      documents: z.array(
        z.object({ docId: z.string(), source: z.string(), url: z.string(), status: z.string(), chunks: z.number().int() }),
      ),
      conversationDocuments: z.number().int().describe("Thread and day documents of the channel's indexed messages."),
    }),
  ),
};
