/**
 * How the Ollama double answers "write one question about this passage" (citebot eval --generate), in the
 * ways real instruction-tuned models do: sometimes a preamble and quotes ("Here is a question …:"), a
 * bold "**Question:**" label, a plain line, and sometimes, despite the instruction, the passage's own
 * sentence turned into a question (which citebot must reject as copied). Which one is decided by a hash of
 * the passage, so a test run is repeatable. The "paraphrase" asks about the passage's two rarest-looking
 * words (the longest ones; in Chinese, 4-character terms), as a colleague who half remembers a document would.
 * Told its previous question was rejected (citebot's stricter second prompt), it paraphrases, as
 * instruction-tuned models mostly do. The `quotes` writer is a small local model: whatever the prompt, it
 * quotes a sentence of the passage with a question mark.
 */
import { createHash } from 'node:crypto';

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'-]*/gu;

function passageOf(userMessage: string): string {
  const match = /Passage[^\n]*:\n([\s\S]*)$/u.exec(userMessage);
  return (match?.[1] ?? userMessage).trim();
}

export function wantsQuestion(systemPrompt: string): boolean {
  return /write one question/i.test(systemPrompt);
}

export type QuestionWriter = 'mixed' | 'quotes';

/** A sentence of the passage, nearly verbatim, made a question: the first, or on a retry the second. */
function quoted(passage: string, retry: boolean): string {
  const sentences = passage.split(/(?<=[.!?。])\s+/u);
  const sentence = (retry ? sentences[1] : undefined) ?? sentences[0] ?? passage;
  return `${sentence.replace(/[.!?。]+$/u, '')}?`;
}

export function writeQuestion(userMessage: string, systemPrompt = '', writer: QuestionWriter = 'mixed'): string {
  const passage = passageOf(userMessage);
  const retry = /previous reply was rejected/i.test(systemPrompt);
  if (writer === 'quotes') return quoted(passage, retry);
  const style = retry ? 1 : createHash('sha256').update(passage).digest()[0]! % 4;
  // Chinese has no spaces: a "word" would be a whole clause, so a run of Han characters is cut into
  // 4-character terms, as a colleague names a term rather than reciting the clause.
  const pieces = (passage.match(WORD) ?? []).flatMap((w) => (/\p{Script=Han}/u.test(w) ? (w.match(/\p{Script=Han}{4}/gu) ?? []) : [w]));
  const words = [...new Set(pieces)].filter((w) => w.length > 3);
  const [a, b] = [...words].sort((x, y) => y.length - x.length || (x < y ? -1 : 1));
  const paraphrase = a && b ? `What do our files say about ${a} and ${b}?` : a ? `What do we know about ${a}?` : 'What is this about?';
  switch (style) {
    case 0:
      return `Here is a question a colleague might ask:\n\n"${paraphrase}"`;
    case 1:
      return paraphrase;
    case 2:
      // Ignores "paraphrase": the first sentence, nearly verbatim.
      return quoted(passage, false);
    default:
      return `**Question:** ${paraphrase}`;
  }
}
