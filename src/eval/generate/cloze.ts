/**
 * The model-free question set: inverse cloze (Lee et al., 2019). One sentence is taken out of a chunk and
 * becomes the query; the rest of the chunk, without that sentence, is the gold passage that is indexed.
 * Retrieval must then find the passage a sentence came from by its context, not by the sentence's own words.
 */
import { splitSentences } from '../../text/sentences.js';
import { keywordWords } from '../../text/tokens.js';

export interface ClozePair {
  query: string;
  /** The chunk without the query sentence. */
  passage: string;
}

/** At least this many words (or CJK characters over 3) in the query sentence, and in what is left. */
const MIN_QUERY_WORDS = 6;
const MIN_PASSAGE_WORDS = 15;

/** The cloze pair for a chunk: its longest sentence that leaves enough context, or undefined when none does. */
export function clozePair(text: string): ClozePair | undefined {
  const sentences = splitSentences(text)
    .map((s) => s.trim())
    .filter(Boolean);
  if (sentences.length < 3) return undefined;
  let best: ClozePair | undefined;
  let bestWords = 0;
  // The first sentence often names the subject (a title, a lead): taking it out would leave a passage no one could find.
  for (let i = 1; i < sentences.length; i++) {
    const words = keywordWords(sentences[i]!).length;
    const rest = sentences.filter((_, j) => j !== i).join(' ');
    if (words < MIN_QUERY_WORDS || words > 40 || keywordWords(rest).length < MIN_PASSAGE_WORDS) continue;
    if (words > bestWords) {
      best = { query: sentences[i]!, passage: rest };
      bestWords = words;
    }
  }
  return best;
}
