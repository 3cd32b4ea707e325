import { describe, expect, it } from 'vitest';
import { splitReasoning, stripReasoning } from '../src/chains/reasoning.js';

describe('stripReasoning: final text', () => {
  it('removes a complete <think> block and the blank lines after it', () => {
    expect(stripReasoning('<think>\nThe user wants the code. Source [3] has it.\n</think>\n\nThe code is EXP-4471 [1].')).toBe(
      'The code is EXP-4471 [1].',
    );
  });

  it('removes the <thinking> and <reasoning> variants, in any case', () => {
    expect(stripReasoning('<thinking>hmm [2]</thinking>Answer [1].')).toBe('Answer [1].');
    expect(stripReasoning('<Reasoning>\nstep 1\n</Reasoning>\nAnswer.')).toBe('Answer.');
    expect(stripReasoning('<THINK>x</THINK>Answer.')).toBe('Answer.');
  });

  it('removes the empty block qwen3 writes when thinking is off', () => {
    expect(stripReasoning('<think>\n\n</think>\n\nReceipts are due within 30 days [1].')).toBe('Receipts are due within 30 days [1].');
  });

  it('removes reasoning before a closing tag that has no opening one (the template opened it)', () => {
    expect(stripReasoning('Okay, the user asks about receipts. Source 2 says [2]...\n</think>\n\nWithin 30 days [1].')).toBe(
      'Within 30 days [1].',
    );
  });

  it('removes everything after an opening tag that is never closed', () => {
    expect(stripReasoning('<think>\nLet me look at [4] and [5]. The budget ran out while')).toBe('');
    expect(stripReasoning('Short answer [1].\n<think>second thoughts [9]')).toBe('Short answer [1].\n');
  });

  it('removes a block in the middle and keeps the text on both sides', () => {
    expect(stripReasoning('First [1].\n\n<think>check [6]</think>\n\nSecond [2].')).toBe('First [1].\n\nSecond [2].');
  });

  it('treats a nested opening tag as part of the same block', () => {
    expect(stripReasoning('<think>a <think> b</think>Answer.')).toBe('Answer.');
  });

  it('leaves text without reasoning tags unchanged, and other tags alone', () => {
    const text = 'Use <b>bold</b> and a < b, then [1].';
    expect(stripReasoning(text)).toBe(text);
  });

  it('returns the reasoning it removed and whether the text ended inside it', () => {
    expect(splitReasoning('<think>one</think>A<think>two')).toEqual({ answer: 'A', reasoning: 'one\n\ntwo', inReasoning: true });
    expect(splitReasoning('plain')).toEqual({ answer: 'plain', reasoning: '', inReasoning: false });
  });
});

describe('stripReasoning: streamed partials', () => {
  const partial = (text: string, mayStartInReasoning = false) => stripReasoning(text, { partial: true, mayStartInReasoning });

  it('never shows a half-written tag', () => {
    for (const cut of ['<', '<t', '<th', '<thi', '<thin', '<think', '<thinkin', '</', '</thi', '<reas', '< think '])
      expect(partial(`Answer [1]. ${cut}`)).toBe('Answer [1]. ');
  });

  it('shows nothing of a block that is still open', () => {
    expect(partial('<think>\nSource [3] might')).toBe('');
    expect(partial('<think>\nSource [3] might</thi')).toBe('');
    expect(partial('<think>\nSource [3]</think>\n\nThe ans')).toBe('The ans');
  });

  it('shows nothing before a first tag when the model may start in reasoning, and the answer after </think>', () => {
    expect(partial('Okay, the user asks [2]', true)).toBe('');
    expect(partial('Okay, the user asks [2]\n</think>\n\nWithin', true)).toBe('Within');
  });

  it('every prefix of a reasoning answer shows only a prefix of the final answer', () => {
    const raw = '<think>\nSources [2] and [5] disagree; pick [1].\n</think>\n\nReceipts are due within 30 days [1].';
    const final = stripReasoning(raw);
    for (let i = 0; i <= raw.length; i++) {
      const shown = partial(raw.slice(0, i));
      expect(final.startsWith(shown), `prefix ${i}: ${JSON.stringify(shown)}`).toBe(true);
    }
  });
});
