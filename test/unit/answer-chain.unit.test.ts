/**
 * The answer chain in process, in milliseconds: LangChain's fake chat models and a small in-memory
 * index instead of Ollama and Chroma. The integration tests (test/answer-chain.test.ts) cover the
 * same paths against the real clients; these keep the edit–test loop short.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { AnswerChain, LLM_UNAVAILABLE_MESSAGE, type AnswerEvent } from '../../src/chains/answer-chain.js';
import type { Answer } from '../../src/chains/types.js';
import { MemoryRetrieval } from '../support/memory-retrieval.js';

const SCOPE = 'local:unit';

async function retrievalWithHandbook(): Promise<MemoryRetrieval> {
  const retrieval = new MemoryRetrieval({ minScore: 0.2, topN: 3 });
  await retrieval.add(SCOPE, 'handbook.md', [
    'Receipts are due within 30 days of the trip. The reimbursement code is EXP-4471.',
    'Employees book trains for trips under 500 km. Flights need approval from a director.',
  ]);
  await retrieval.add('local:other', 'board.md', ['The merger with Globex closes in March. The code name is BLUE HERON.']);
  return retrieval;
}

function chainWith(retrieval: MemoryRetrieval, chatModel: BaseChatModel): AnswerChain {
  return new AnswerChain({
    retrieval,
    // A model that cannot think: no `think`, nothing held back from the stream.
    chatModel: async () => ({ model: chatModel, thinking: false, extraReserve: 0, mayStartInReasoning: false }),
    settings: { topN: 3, window: { numCtx: 8192, answerReserve: 512 }, chatTimeoutMs: 5000 },
  });
}

async function run(chain: AnswerChain, question: string): Promise<{ partials: string[]; answer: Answer }> {
  const partials: string[] = [];
  for await (const event of chain.stream({ question, scopes: [SCOPE] }) as AsyncGenerator<AnswerEvent>) {
    if (event.type === 'partial') partials.push(event.text);
    else if (event.type === 'answer') return { partials, answer: event.answer };
  }
  throw new Error('no answer');
}

describe('answer chain (unit: fake chat model, in-memory index)', () => {
  it('cites the source it used, as a verified [n]', async () => {
    const model = new FakeListChatModel({ responses: ['Receipts are due within 30 days [1].'] });
    const { answer } = await run(chainWith(await retrievalWithHandbook(), model), 'When are receipts due?');
    expect(answer.answer).toBe('Receipts are due within 30 days [1].');
    expect(answer.citations.map((c) => [c.n, c.source])).toEqual([[1, 'handbook.md']]);
    expect(answer.droppedCitations).toBe(0);
  });

  it('strips reasoning and rewrites a real model’s citation form; an invented number is dropped and counted', async () => {
    const model = new FakeListChatModel({
      responses: ['<think>Source 2 may say [2].</think>Receipts are due within 30 days [Source 1] [7].'],
    });
    const { partials, answer } = await run(chainWith(await retrievalWithHandbook(), model), 'When are receipts due?');
    expect(answer.answer).toBe('Receipts are due within 30 days [1].');
    expect(answer.droppedCitations).toBe(1);
    expect(partials.length).toBeGreaterThan(0);
    for (const text of [...partials, answer.answer]) expect(text).not.toMatch(/think|Source 2|\[7\]/);
  });

  it('no evidence, no LLM: an unrelated question is answered without calling the model', async () => {
    const model = new FakeListChatModel({ responses: ['should never be asked'] });
    const { answer } = await run(chainWith(await retrievalWithHandbook(), model), 'zzqx blorptang?');
    expect(answer.noEvidence).toBe(true);
    expect(answer.citations).toEqual([]);
    // FakeListChatModel answers its responses in turn: the first one is still unused.
    expect(await model.invoke('next')).toMatchObject({ content: 'should never be asked' });
  });

  it('never reads another scope', async () => {
    const model = new FakeListChatModel({ responses: ['Nothing about that here [1].'] });
    const { answer } = await run(chainWith(await retrievalWithHandbook(), model), 'When does the merger with Globex close? BLUE HERON');
    expect([...answer.citations, ...answer.alsoRelevant].every((c) => c.source === 'handbook.md')).toBe(true);
  });

  it('a chat model that fails gives the passages, labelled as degraded', async () => {
    const model = new FakeStreamingChatModel({ thrownErrorString: 'connect ECONNREFUSED 127.0.0.1:11434' });
    const { answer } = await run(chainWith(await retrievalWithHandbook(), model), 'When are receipts due?');
    expect(answer.answer.startsWith(LLM_UNAVAILABLE_MESSAGE)).toBe(true);
    expect(answer.citations[0]?.source).toBe('handbook.md');
    expect(answer.degraded?.map((d) => d.type)).toEqual(['passages-only']);
  });
});
