import { writeFileSync } from 'node:fs';

/**
 * A large one-line text that reads like prose to the pipeline: sentences of words drawn from a
 * vocabulary of a few thousand made-up words (seeded, so every run writes the same bytes).
 */
export function writeLargeText(path: string, bytes: number, seed = 7): void {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const syllables = ['ka', 'lo', 'mi', 'ner', 'tu', 'sa', 'vel', 'or', 'in', 'dra', 'pe', 'qui', 'sto', 'an', 'ber', 'ul'];
  const vocabulary = Array.from({ length: 4000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(''),
  );
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const words = Array.from({ length: 6 + Math.floor(random() * 14) }, () => vocabulary[Math.floor(random() * vocabulary.length)]);
    const sentence = words.join(' ') + '. ';
    parts.push(sentence);
    size += sentence.length;
  }
  writeFileSync(path, parts.join('').slice(0, bytes));
}
