/**
 * Fits long passages into the context budget by keeping their sentences that share the most
 * keywords with the question. Cheap (no model), so it runs on every retrieved passage.
 */
import { BaseDocumentCompressor } from '@langchain/classic/retrievers/document_compressors';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { sentenceSpans, type SentenceSpan } from '../text/sentences.js';
import { estimateTokens, keywordTerms } from '../text/tokens.js';

export interface SentenceTrimmerOptions {
  /** Token limit per passage; a function is asked again for every question (the budget varies). */
  maxTokensPerDocument: number | (() => number);
}

/** Put where sentences were skipped, so neither the model nor a reader takes the gap for continuous text. */
export const SKIPPED_TEXT = ' … ';

/**
 * A document compressor that trims each passage longer than the limit down to its most relevant
 * sentences (see trimToRelevantSentences), marking it `metadata.trimmed = true`. Shorter passages
 * pass through as they are; input documents are never modified.
 */
export class SentenceTrimmer extends BaseDocumentCompressor {
  private readonly maxTokens: () => number;

  constructor(options: SentenceTrimmerOptions) {
    super();
    const { maxTokensPerDocument: limit } = options;
    this.maxTokens = typeof limit === 'function' ? limit : () => limit;
  }

  override async compressDocuments(documents: DocumentInterface[], query: string): Promise<DocumentInterface[]> {
    const limit = this.maxTokens();
    if (!(limit >= 1)) throw new RangeError(`maxTokensPerDocument must be at least 1, got ${limit}`);
    return documents.map((document) => {
      if (estimateTokens(document.pageContent) <= limit) return document;
      return new Document({
        pageContent: trimToRelevantSentences(document.pageContent, query, limit),
        metadata: { ...document.metadata, trimmed: true },
        id: document.id,
      });
    });
  }
}

/**
 * The sentences of `text` most relevant to `query` that fit in `maxTokens` (estimateTokens), in
 * their original order, joined by their original spacing or by " … " where sentences were skipped.
 *
 * Relevance is the sum, over the distinct query keywords a sentence contains, of the keyword's
 * rarity within this text (log(1 + sentences / sentences containing it)): a word in every sentence
 * of the passage, often its subject, tells the sentences apart less than a rare one does.
 * Sentences are taken greedily by relevance (ties: earlier first); sentences that match nothing
 * fill any room left, from the start. The best sentence is always kept, cut by characters if it alone is too long.
 */
export function trimToRelevantSentences(text: string, query: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const spans = sentenceSpans(text);
  if (spans.length === 0) return truncateToTokens(text.trim(), maxTokens);

  const scores = relevanceScores(
    spans.map((span) => text.slice(span.start, span.end)),
    query,
  );
  const ranked = spans.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);

  const best = sliceOf(text, spans[ranked[0]!]!);
  if (estimateTokens(best) > maxTokens) return truncateToTokens(best, maxTokens);

  let kept: number[] = [];
  for (const index of ranked) {
    const candidate = [...kept, index].sort((a, b) => a - b);
    if (estimateTokens(joinSentences(text, spans, candidate)) <= maxTokens) kept = candidate;
  }
  return joinSentences(text, spans, kept);
}

function relevanceScores(sentences: string[], query: string): number[] {
  const queryTerms = new Set(keywordTerms(query));
  const sentenceTerms = sentences.map((sentence) => new Set(keywordTerms(sentence).filter((term) => queryTerms.has(term))));
  const rarity = new Map<string, number>();
  for (const term of queryTerms) {
    const containing = sentenceTerms.filter((terms) => terms.has(term)).length;
    if (containing > 0) rarity.set(term, Math.log(1 + sentences.length / containing));
  }
  return sentenceTerms.map((terms) => [...terms].reduce((sum, term) => sum + rarity.get(term)!, 0));
}

/** The chosen sentences (indexes in ascending order) with the text between neighbours kept as it was. */
function joinSentences(text: string, spans: readonly SentenceSpan[], indexes: readonly number[]): string {
  let joined = '';
  indexes.forEach((index, i) => {
    const previous = indexes[i - 1];
    if (previous !== undefined) joined += index === previous + 1 ? text.slice(spans[previous]!.end, spans[index]!.start) : SKIPPED_TEXT;
    joined += sliceOf(text, spans[index]!);
  });
  return joined;
}

function sliceOf(text: string, span: SentenceSpan): string {
  return text.slice(span.start, span.end);
}

/** The longest prefix (whole code points) that, with a trailing "…", fits in `maxTokens`. */
function truncateToTokens(text: string, maxTokens: number): string {
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (estimateTokens(chars.slice(0, middle).join('') + '…') <= maxTokens) low = middle;
    else high = middle - 1;
  }
  return chars.slice(0, low).join('').trimEnd() + '…';
}
