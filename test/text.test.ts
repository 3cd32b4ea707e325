import { describe, expect, it } from 'vitest';
import { chunkId, DocumentChunker } from '../src/ingest/chunker.js';
import { estimateTokens, keywordTerms } from '../src/text/tokens.js';

describe('token estimate', () => {
  it('counts a CJK character as a token and ~4 other characters as one', () => {
    expect(estimateTokens('北京大学')).toBe(4);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('北京 abcd')).toBe(2 + 2);
  });
});

describe('keyword terms', () => {
  it('lowercases words, drops stopwords and splits punctuation', () => {
    expect(keywordTerms('The Reimbursement code is EXP-4471.')).toEqual(['reimbursement', 'code', 'exp', '4471']);
  });

  it('segments Chinese into words and adds bigrams of longer words', () => {
    const terms = keywordTerms('北京大学的学生在图书馆学习');
    expect(terms).toContain('学生');
    expect(terms).toContain('学习');
    expect(terms).not.toContain('的');
    // Bigrams make a differently segmented question still match.
    const long = terms.filter((t) => t.length === 2);
    expect(long.length).toBeGreaterThan(2);
  });
});

describe('chunking', () => {
  const facts = { scope: 'local:default', docId: 'd1', source: 'a.txt', url: '/a.txt', contentHash: 'f'.repeat(64) };

  it('splits Chinese text at sentence ends, within the token budget, keeping the punctuation', async () => {
    const sentence = '长江是中国第一大河，全长约六千三百公里。';
    const text = sentence.repeat(40);
    const chunker = new DocumentChunker({ chunkTokens: 100, overlapTokens: 20 });
    const chunks = await chunker.chunk({ kind: 'text', mimeType: 'text/plain', sections: [{ text, location: { page: 3 } }] }, facts);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(100);
      expect(chunk.text.endsWith('。')).toBe(true);
      expect(chunk.text.startsWith('。')).toBe(false);
      expect(chunk.metadata.page).toBe(3);
    }
    // Overlap: consecutive chunks share text.
    expect(chunks[1]!.text.startsWith(sentence)).toBe(true);
  });

  it('keeps each section location and document facts on every chunk, with deterministic ids', async () => {
    const chunker = new DocumentChunker({ chunkTokens: 50, overlapTokens: 0 });
    const doc = {
      kind: 'pptx' as const,
      mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      sections: [
        { text: 'Slide one text.', location: { slide: 1 } },
        { text: 'Slide two text.', location: { slide: 2, section: 'Results' } },
      ],
    };
    const a = await chunker.chunk(doc, { ...facts, uploadedBy: 'U1' });
    const b = await chunker.chunk(doc, { ...facts, uploadedBy: 'U1' });
    expect(a.map((c) => c.id)).toEqual(b.map((c) => c.id));
    expect(a[0]!.id).toBe(chunkId('local:default', 'd1', facts.contentHash, 0));
    expect(a[1]!.metadata).toMatchObject({ slide: 2, section: 'Results', chunkIndex: 1, source: 'a.txt', url: '/a.txt', uploadedBy: 'U1' });
    // Another scope or another version gives other ids.
    expect(chunkId('slack:T:C', 'd1', facts.contentHash, 0)).not.toBe(a[0]!.id);
    expect(chunkId('local:default', 'd1', 'e'.repeat(64), 0)).not.toBe(a[0]!.id);
  });
});
