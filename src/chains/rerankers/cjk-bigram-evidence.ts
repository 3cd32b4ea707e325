/**
 * OCR misreads a character or two of a Chinese word (猎户座 read as 独尸座): the word is then missing from
 * the page, and the IDF-weighted keyword coverage loses the question's rarest, heaviest term. Character
 * bigrams degrade gracefully instead: a misread word costs its own bigrams, the rest still match. So a
 * passage that holds most of a Chinese question's content bigrams is evidence too (see RelevanceThreshold).
 */
import { hasCjk } from '../../text/tokens.js';

/** The share of the question's content bigrams a passage must hold: "one word misread" of a usual question, not "shares a topic". */
export const MIN_BIGRAM_SHARE = 2 / 3;
/** Questions with fewer content bigrams than this are too short to judge by share (one misread word is half of them). */
const MIN_BIGRAMS = 4;

/** Words that ask rather than say (the answer does not contain them) and function words: they break a run of content. */
const NOT_CONTENT =
  /^(?:什么|时候|哪里|哪儿|哪些|哪个|哪|多少|多久|多长|怎么|怎样|如何|为什么|为何|是否|有没有|请问|几|谁|吗|呢|吧|啊|的|了|是|在|和|与|及|或|也|都|就|而|之|其|这|那|个|有|为|被|把|对|于|从|以|等)+$/u;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** The character bigrams of the question's runs of CJK content words (across word boundaries within a run), or [] for a question without enough of them. */
export function contentBigrams(question: string): string[] {
  const bigrams = new Set<string>();
  let run = '';
  const close = () => {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) bigrams.add(chars[i]! + chars[i + 1]!);
    run = '';
  };
  for (const { segment, isWordLike } of segmenter.segment(question.normalize('NFKC').toLowerCase())) {
    if (isWordLike && hasCjk(segment) && !NOT_CONTENT.test(segment)) run += segment;
    else close();
  }
  close();
  return bigrams.size >= MIN_BIGRAMS ? [...bigrams] : [];
}

/** The share (0..1) of `bigrams` found in the passage, whitespace ignored (OCR and chunking may put it between characters). */
export function bigramShare(bigrams: string[], passage: string): number {
  if (bigrams.length === 0) return 0;
  const text = passage.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  return bigrams.filter((b) => text.includes(b)).length / bigrams.length;
}
