import { ChatOllama } from '@langchain/ollama';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { Ollama, type ChatResponse } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CITATION_STYLES, OllamaDouble, type CitationStyle } from './doubles/ollama-double.js';

/** The double's answer shapes, through the real `ollama` and `@langchain/ollama` clients. */

let double: OllamaDouble;
let ollama: Ollama;

beforeAll(async () => {
  double = await OllamaDouble.start();
  ollama = new Ollama({ host: double.url });
});
afterAll(() => double.close());
beforeEach(() => {
  double.reset();
  double.configure({ answerShape: null, tokenDelayMs: 0 });
});

const SOURCES = [
  'Answer only from the numbered sources and cite them like [1].',
  '<source id="1" file="handbook.pdf" location="p. 3">',
  'Refunds are issued within 14 days of purchase.',
  '</source>',
  '<source id="2" file="wifi.md">',
  'The office wifi password rotates monthly.',
  '</source>',
].join('\n');
const messages = [
  { role: 'system', content: SOURCES },
  { role: 'user', content: 'Question: When are refunds issued?' },
];

/** Every streamed line of one /api/chat call. */
async function chatLines(model: string, think?: boolean, options: Record<string, unknown> = {}): Promise<ChatResponse[]> {
  const lines: ChatResponse[] = [];
  for await (const part of await ollama.chat({ model, messages, stream: true, ...(think === undefined ? {} : { think }), options }))
    lines.push(part);
  return lines;
}

const content = (lines: ChatResponse[]) => lines.map((l) => l.message.content).join('');
const thinking = (lines: ChatResponse[]) => lines.map((l) => l.message.thinking ?? '').join('');

describe('model capabilities', () => {
  it('/api/show lists thinking for reasoning models, and only completion and thinking for deepseek-r1', async () => {
    expect((await ollama.show({ model: 'deepseek-r1:7b' })).capabilities).toEqual(['completion', 'thinking']);
    expect((await ollama.show({ model: 'qwen3' })).capabilities).toContain('thinking');
    expect((await ollama.show({ model: 'qwen2.5:7b' })).capabilities).not.toContain('thinking');
  });
});

describe('reasoning shapes', () => {
  it('think-tags: a <think> block in the content, then the answer', async () => {
    double.configure({ answerShape: { reasoning: 'think-tags' } });
    const text = content(await chatLines('qwen3'));
    expect(text).toMatch(
      /^<think>\nOkay, the user is asking: "When are refunds issued\?"[\s\S]*\n<\/think>\n\nAccording to the shared files, Refunds are issued within 14 days of purchase\. \[1\]$/u,
    );
    // The reasoning names source numbers, including ones that do not exist: they must not become citations.
    expect(text).toContain('[7]');
  });

  it('leading-close-tag, empty-think and unclosed-think', async () => {
    double.configure({ answerShape: { reasoning: 'leading-close-tag' } });
    expect(content(await chatLines('deepseek-r1:7b'))).toMatch(/^Okay, [\s\S]*\n<\/think>\n\nAccording to [\s\S]*\[1\]$/u);
    double.configure({ answerShape: { reasoning: 'empty-think' } });
    expect(content(await chatLines('qwen3'))).toMatch(/^<think>\n\n<\/think>\n\nAccording to [\s\S]*\[1\]$/u);
    double.configure({ answerShape: { reasoning: 'unclosed-think' } });
    const unclosed = content(await chatLines('qwen3'));
    expect(unclosed).toMatch(/^<think>\nOkay, /u);
    expect(unclosed).not.toContain('</think>');
    expect(unclosed).not.toContain('According to');
  });

  it('thinking-field: reasoning streams in message.thinking before any content, as Ollama sends it', async () => {
    double.configure({ answerShape: { reasoning: 'thinking-field' } });
    const lines = await chatLines('qwen3', true);
    const firstContent = lines.findIndex((l) => l.message.content);
    expect(firstContent).toBeGreaterThan(1);
    for (const line of lines.slice(0, firstContent)) expect(line.message).toMatchObject({ content: '', thinking: expect.any(String) });
    for (const line of lines.slice(firstContent)) expect(line.message.thinking).toBeUndefined();
    expect(thinking(lines)).toMatch(/^Okay, the user is asking/u);
    expect(content(lines)).toBe('According to the shared files, Refunds are issued within 14 days of purchase. [1]');
    expect(double.chatRequests[0]).toMatchObject({ think: true, thinking: thinking(lines) });
  });

  it('thinking-field for thinkingMs: the reasoning repeats until then, one chunk per thinkingChunkMs', async () => {
    double.configure({ answerShape: { reasoning: 'thinking-field', thinkingMs: 300, thinkingChunkMs: 5 } });
    const lines = await chatLines('qwen3', true);
    const once = thinking(await (double.configure({ answerShape: { reasoning: 'thinking-field' } }), chatLines('qwen3', true)));
    expect(thinking(lines).length).toBeGreaterThan(once.length);
    expect(content(lines)).toMatch(/^According to/u);
  });

  it('thinking-field: no reasoning when the request says think: false, or the model cannot think', async () => {
    double.configure({ answerShape: { reasoning: 'thinking-field' } });
    expect(thinking(await chatLines('qwen3', false))).toBe('');
    expect(thinking(await chatLines('qwen2.5:7b'))).toBe('');
    await expect(chatLines('qwen2.5:7b', true)).rejects.toThrow(/does not support thinking/);
  });

  it('num_predict bounds reasoning and answer together: a long think leaves the answer cut or empty', async () => {
    double.configure({ answerShape: { reasoning: 'thinking-field' } });
    const lines = await chatLines('qwen3', true, { num_predict: 20 });
    expect(content(lines)).toBe('');
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'length' });
    double.configure({ answerShape: { reasoning: 'think-tags' } });
    const tagged = await chatLines('qwen3', undefined, { num_predict: 20 });
    expect(content(tagged)).not.toContain('</think>');
    expect(tagged.at(-1)!.done_reason).toBe('length');
  });

  it('through ChatOllama: <think> tags arrive as content; the thinking field does not', async () => {
    double.configure({ answerShape: { reasoning: 'think-tags' } });
    const model = new ChatOllama({ model: 'qwen3', baseUrl: double.url });
    const reply = await model.invoke([new SystemMessage(SOURCES), new HumanMessage('Question: When are refunds issued?')]);
    expect(String(reply.content)).toMatch(/^<think>/u);
    double.configure({ answerShape: { reasoning: 'thinking-field' } });
    let streamed = '';
    for await (const chunk of await model.stream([new SystemMessage(SOURCES), new HumanMessage('Question: When?')]))
      streamed += String(chunk.content);
    expect(streamed).toBe('According to the shared files, Refunds are issued within 14 days of purchase. [1]');
  });
});

describe('citation styles and extras', () => {
  it.each(Object.keys(CITATION_STYLES) as CitationStyle[])('%s', async (style) => {
    double.configure({ answerShape: { citationStyle: style } });
    const text = content(await chatLines('qwen2.5:7b'));
    expect(text).toContain(CITATION_STYLES[style](1, 'handbook.pdf', 2));
    expect(text).toMatch(/^According to the shared files, Refunds are issued within 14 days of purchase\./u);
  });

  it('footnotes come with their definitions', async () => {
    double.configure({ answerShape: { citationStyle: 'footnote' } });
    expect(content(await chatLines('qwen2.5:7b'))).toMatch(/purchase\.\[\^1\]\n\n\[\^1\]: handbook\.pdf$/u);
  });

  it('a model-written source list, a citation of source 99, only reasoning, only a list, nothing', async () => {
    double.configure({ answerShape: { sourcesList: true } });
    expect(content(await chatLines('qwen2.5:7b'))).toMatch(/\[1\]\n\nSources:\n- \[1\] handbook\.pdf\n- \[2\] wifi\.md$/u);
    double.configure({ answerShape: { citeMissingSource: true, citationStyle: 'source-brackets' } });
    expect(content(await chatLines('qwen2.5:7b'))).toMatch(/\[Source 1\] The policy was last revised in 2021 \[Source 99\]\.$/u);
    double.configure({ answerShape: { only: 'reasoning' } });
    expect(content(await chatLines('qwen2.5:7b'))).toMatch(/^<think>\n[\s\S]*\n<\/think>$/u);
    double.configure({ answerShape: { only: 'sources-list' } });
    expect(content(await chatLines('qwen2.5:7b'))).toBe('Sources:\n- [1] handbook.pdf\n- [2] wifi.md');
    double.configure({ answerShape: { only: 'nothing' } });
    expect(content(await chatLines('qwen2.5:7b'))).toBe('');
  });

  it('a follow-up rewrite (no sources) keeps its reasoning but gets no citations or lists', async () => {
    double.configure({ answerShape: { reasoning: 'think-tags', sourcesList: true, only: 'nothing' } });
    const reply = await ollama.chat({
      model: 'qwen3',
      messages: [
        { role: 'system', content: 'Rewrite the last message as a standalone question.' },
        { role: 'user', content: 'and the code?' },
      ],
    });
    expect(reply.message.content).toMatch(/^<think>\n[\s\S]*<\/think>\n\nand the code\?$/u);
  });
});
