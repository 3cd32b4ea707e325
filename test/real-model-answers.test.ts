import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CitableSource } from '../src/chains/citations.js';
import { finalAnswer, hasAnswer, partialAnswerText } from '../src/chains/model-output.js';

interface Case {
  name: string;
  model: string;
  sources: number;
  raw: string;
  expected: { text: string; cited: number[]; droppedCitations: number };
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'answers', 'real-model-answers.json'), 'utf8')) as {
  sourceFiles: string[];
  cases: Case[];
};

function sourcesOf(count: number): CitableSource[] {
  return fixture.sourceFiles.slice(0, count).map((source, i) => ({
    n: i + 1,
    chunkId: `chunk-${i + 1}`,
    docId: `doc-${i + 1}`,
    source,
    url: `https://files.example/${source}`,
    location: '',
    score: 1,
    snippet: '',
  }));
}

/** Marker or reasoning syntax a user must never see (outside code spans). */
const LEFTOVER = /<\/?think|<\/?reasoning|†|\[\^|\[\[|\]\(|Source \d|citation:|\[doc|\[ID:|【|\[(?!\d+\])/u;
const withoutCode = (text: string) => text.replace(/`[^`]*`/gu, '');

describe('real-world answer forms render as expected', () => {
  for (const c of fixture.cases) {
    it(`${c.name} (${c.model})`, () => {
      const sources = sourcesOf(c.sources);
      const allowed = sources.map((s) => s.url);
      const { text, verified } = finalAnswer(c.raw, sources, allowed);
      expect(text).toBe(c.expected.text);
      expect(verified.cited.map((s) => Number(s.chunkId.split('-')[1]))).toEqual(c.expected.cited);
      expect(verified.droppedMarkers).toBe(c.expected.droppedCitations);
      expect(hasAnswer(c.raw)).toBe(c.expected.text !== '');
      // Every [n] left has its citation.
      for (const [, n] of withoutCode(text).matchAll(/\[(\d+)\]/gu)) expect(Number(n)).toBeLessThanOrEqual(verified.cited.length);
      // No streamed prefix shows reasoning or marker syntax.
      for (let i = 0; i <= c.raw.length; i++) {
        const partial = withoutCode(partialAnswerText(c.raw.slice(0, i), sources, allowed));
        expect(partial, `prefix ${i}`).not.toMatch(LEFTOVER);
      }
    });
  }
});
