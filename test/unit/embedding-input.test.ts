import { describe, expect, it } from 'vitest';
import { embeddingInput, nameCarriesSubject, type StoredChunk } from '../../src/store/chunk.js';

const chunk = (source: string, section?: string): StoredChunk => ({
  id: 'c1',
  text: 'It was founded in 1636.',
  metadata: {
    scope: 'local:default',
    docId: 'd',
    source,
    url: source,
    chunkIndex: 0,
    contentHash: 'h',
    mimeType: 'text/plain',
    ingestedAt: '',
    section,
  },
});

describe('what the embedding model sees', () => {
  it('puts a file name that names a subject (any script) before the text, with the section', () => {
    expect(embeddingInput(chunk('Harvard-University.html', 'History'))).toBe('Harvard-University.html · History\nIt was founded in 1636.');
    expect(embeddingInput(chunk('泡泡战士.md'))).toBe('泡泡战士.md\nIt was founded in 1636.');
    for (const name of ['1973-oil-crisis.pptx', 'Q3 report.docx', 'Normans-part1-1.txt', 'notes.md'])
      expect(nameCarriesSubject(name)).toBe(true);
  });

  it('leaves out a name that names nothing: numbered passages, camera and scanner names, hex ids', () => {
    for (const name of ['passage-538.txt', 'IMG_2034.jpg', 'scan (3).pdf', 'document(2).pdf', 'a3f9c2d1e8.pdf', 'uploads/file_12.txt'])
      expect(nameCarriesSubject(name)).toBe(false);
    expect(embeddingInput(chunk('passage-538.txt'))).toBe('It was founded in 1636.');
    // The section still names something.
    expect(embeddingInput(chunk('passage-538.txt', 'History'))).toBe('History\nIt was founded in 1636.');
  });
});
