import { describe, expect, it } from 'vitest';
import { verifyCitations, type CitableSource } from '../src/chains/citations.js';
import { stableRawPrefix, visiblePrefix } from '../src/chains/partial-answer.js';

const sources: CitableSource[] = [1, 2, 3].map((n) => ({
  n,
  chunkId: `c${n}`,
  docId: `d${n}`,
  source: `file-${n}.pdf`,
  url: '',
  location: '',
  score: 1,
  snippet: '',
}));

/** What a user sees of a prefix, as the answer chain computes it. */
const shown = (raw: string) => verifyCitations(visiblePrefix(raw), sources).text;

/** Marker syntax that must never be visible: a half or unnormalised marker, a reasoning tag, a heading start. */
const LEFTOVER = /[[［【(（](?![0-9]+\])|<\/?t|†|\^|Source|citation|doc|ID:|Sour$|Refer$/u;

describe('stableRawPrefix', () => {
  it('cuts before a bracket still open on the last line', () => {
    expect(stableRawPrefix('Due in 30 days [Sour')).toBe('Due in 30 days ');
    expect(stableRawPrefix('Due in 30 days [[1]')).toBe('Due in 30 days ');
    expect(stableRawPrefix('Due in 30 days 【1†so')).toBe('Due in 30 days ');
    expect(stableRawPrefix('Due in 30 days (Source 2')).toBe('Due in 30 days ');
    expect(stableRawPrefix('Due in 30 days [1](https://exa')).toBe('Due in 30 days ');
    expect(stableRawPrefix('see [this](https://evil.exa')).toBe('see ');
    expect(stableRawPrefix('Ask <@U1')).toBe('Ask ');
  });

  it('keeps closed brackets, earlier lines, and a long parenthesis that cannot be a marker', () => {
    expect(stableRawPrefix('Due [1] (see p. 3) and')).toBe('Due [1] (see p. 3) and');
    expect(stableRawPrefix('a (x\nb [1] c')).toBe('a (x\nb [1] c');
    const long = `Note (${'word '.repeat(40)}`;
    expect(stableRawPrefix(long)).toBe(long);
  });

  it('holds back a bracket group at the very end, which may still become a link', () => {
    expect(stableRawPrefix('see [this]')).toBe('see ');
    expect(stableRawPrefix('due [1]')).toBe('due ');
    expect(stableRawPrefix('due [1].')).toBe('due [1].');
  });

  it('holds back a word being written as a mention and a last line that may become a source-list heading', () => {
    expect(stableRawPrefix('Ping @every')).toBe('Ping ');
    expect(stableRawPrefix('Due [1].\n\nSour')).toBe('Due [1].\n\n');
    expect(stableRawPrefix('Due [1].\n\n**Refer')).toBe('Due [1].\n\n');
    expect(stableRawPrefix('Due [1].\n\n参考')).toBe('Due [1].\n\n');
    expect(stableRawPrefix('Due [1].\n\nSorry')).toBe('Due [1].\n\nSorry');
  });
});

describe('visiblePrefix: every prefix of a real answer shape', () => {
  const answers = [
    '<think>\nThe user asks about receipts. [3] is about travel, [2] about expenses. 7 days? No.\n</think>\n\nReceipts are due within 30 days [Source 2].',
    'Receipts are due within 30 days [citation:2] and trains are booked for short trips 【1†source】.',
    'Receipts are due within 30 days [^2], trains for short trips [[1]] and flights need approval [3](https://example.com/3).',
    'Receipts are due within 30 days (Source 2), see [Document 1, p. 4] and [doc3].\n\nSources:\n- [1] file-1.pdf\n- [2] file-2.pdf',
    'Receipts are due within 30 days [2 3] [ID:1] [1-3].',
  ];
  for (const raw of answers) {
    it(`never shows reasoning or a half marker: ${JSON.stringify(raw.slice(0, 40))}…`, () => {
      for (let i = 0; i <= raw.length; i++) {
        const text = shown(raw.slice(0, i));
        expect(text, `prefix ${i}: ${JSON.stringify(raw.slice(0, i))}`).not.toMatch(LEFTOVER);
        expect(text).not.toMatch(/user asks|7 days/u);
      }
    });
  }
});
