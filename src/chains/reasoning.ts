/**
 * Reasoning that models write into their answer text, which must never reach a user. Seen in the wild:
 * - qwen3, QwQ, deepseek-r1 distills (when Ollama does not parse it into its `thinking` field):
 *   `<think>…</think>` before the answer, an empty `<think>\n\n</think>` when thinking is off;
 * - templates that open the tag in the prompt (deepseek-r1): the text starts with reasoning and a
 *   closing `</think>` without its opening tag;
 * - an answer budget spent while thinking: `<think>…` never closed;
 * - fine-tunes and prompted models: `<thinking>` and `<reasoning>` instead of `<think>`.
 * Removed before citations are parsed, so numbers in the reasoning never become citations.
 */

const TAG_NAMES = ['think', 'thinking', 'reasoning'] as const;
const TAG = new RegExp(`<(/?)\\s*(${TAG_NAMES.join('|')})\\s*>`, 'giu');

export interface SplitReasoning {
  /** The text with every reasoning block removed (and, for a partial, no half-written tag at its end). */
  answer: string;
  /** The reasoning removed, blocks joined by blank lines (for debug logs). */
  reasoning: string;
  /** The text ends inside a reasoning block: the model is still thinking (or stopped while it was). */
  inReasoning: boolean;
}

export interface ReasoningOptions {
  /**
   * The text is a streamed prefix: a tag may still be half-written at its end, and more may follow.
   * A half tag is cut off; text after an opening tag is held back until the closing one arrives.
   */
  partial?: boolean;
  /**
   * Only for partials: the model may start reasoning without an opening tag (a thinking model whose
   * template opens `<think>` in the prompt, asked with Ollama's `think` unset). Then nothing before a
   * first tag is shown, since a `</think>` may still come and turn it into reasoning. The final text
   * needs no hint: an unopened `</think>` is recognised once it is there.
   */
  mayStartInReasoning?: boolean;
}

/** Splits model output into what the user may see and the reasoning (see the module comment). */
export function splitReasoning(text: string, options: ReasoningOptions = {}): SplitReasoning {
  let answer = '';
  const reasoning: string[] = [];
  let openAt = -1; // index after the opening tag of the block we are in, or -1
  let cursor = 0;
  let sawTag = false;
  for (const match of text.matchAll(TAG)) {
    sawTag = true;
    const closing = match[1] === '/';
    const end = match.index + match[0].length;
    if (!closing) {
      if (openAt >= 0) continue; // nested opening: still the same block
      answer += text.slice(cursor, match.index);
      openAt = end;
    } else if (openAt >= 0) {
      reasoning.push(text.slice(openAt, match.index));
      openAt = -1;
    } else {
      // A closing tag with no opening one: everything so far was reasoning.
      reasoning.push(answer + text.slice(cursor, match.index));
      answer = '';
    }
    cursor = end;
  }
  const inReasoning = openAt >= 0;
  if (inReasoning) reasoning.push(text.slice(openAt));
  else answer += text.slice(cursor);

  if (options.partial) {
    if (!sawTag && options.mayStartInReasoning) return { answer: '', reasoning: text, inReasoning: true };
    if (!inReasoning) answer = withoutHalfTag(answer);
  }
  return { answer: tidy(answer), reasoning: reasoning.map((r) => r.trim()).join('\n\n'), inReasoning };
}

/** The text a user may see: `splitReasoning(text, options).answer`. */
export function stripReasoning(text: string, options: ReasoningOptions = {}): string {
  return splitReasoning(text, options).answer;
}

/** "Answer <thi" → "Answer ": the end of a streamed prefix may be the start of a reasoning tag. */
function withoutHalfTag(text: string): string {
  const match = /<\/?\s*([a-z]*)\s*$/iu.exec(text);
  if (!match) return text;
  const started = match[1]!.toLowerCase();
  return TAG_NAMES.some((name) => name.startsWith(started) || started.startsWith(name)) ? text.slice(0, match.index) : text;
}

/** A removed block leaves blank lines: none at the start, at most one blank line anywhere. */
function tidy(text: string): string {
  return text.replace(/^\s+/u, '').replace(/\n[ \t]*\n(?:[ \t]*\n)+/gu, '\n\n');
}
