/**
 * How the Ollama double's chat model writes its answer: the shapes real local models produce, as
 * seen in other RAG projects' issue trackers (qwen3, deepseek-r1 distills, QwQ, llama3.x, gemma,
 * mistral, gpt-oss). The double's own answer ("According to the shared files, <first sentence of
 * source 1>.") is rewritten with the chosen reasoning, citation style and extras.
 */

/** Where the model's reasoning ends up. */
export type ReasoningShape =
  /** `<think>…</think>` before the answer, in the content (qwen3/QwQ when Ollama does not parse it). */
  | 'think-tags'
  /** Reasoning, then `</think>` with no opening tag (deepseek-r1: its template opens the tag). */
  | 'leading-close-tag'
  /** `<think>\n\n</think>` before the answer (qwen3 with thinking switched off). */
  | 'empty-think'
  /** `<think>…` never closed: the answer budget ran out while thinking. No answer follows. */
  | 'unclosed-think'
  /** Ollama's separate `message.thinking` field (think on, or a thinking model Ollama parses). */
  | 'thinking-field';

/** The citation forms models write instead of `[n]`. `n` is a source's prompt number, `m` another one. */
export const CITATION_STYLES = {
  brackets: (n) => `[${n}]`,
  'source-brackets': (n) => `[Source ${n}]`,
  'source-parens': (n) => `(Source ${n})`,
  'citation-colon': (n) => `[citation:${n}]`,
  document: (n) => `[Document ${n}]`,
  doc: (n) => `[doc${n}]`,
  id: (n) => `[ID:${n}]`,
  'lenticular-dagger': (n) => `【${n}†source】`,
  lenticular: (n) => `【${n}】`,
  footnote: (n) => `[^${n}]`,
  'double-brackets': (n) => `[[${n}]]`,
  // Models invent a URL for the file they were shown.
  link: (n, file) => `[${n}](https://docs.example.com/${encodeURIComponent(file)})`,
  page: (n) => `[${n}, p. 3]`,
  'space-list': (n, _file, m) => `[${n} ${m}]`,
  'comma-list': (n, _file, m) => `[${n}, ${m}]`,
  range: (n, _file, m) => `[${Math.min(n, m)}-${Math.max(n, m)}]`,
  'bare-parens': (n) => `(${n})`,
  'file-name': (_n, file) => `[${file}]`,
  'source-file': (_n, file) => `(Source: ${file})`,
} satisfies Record<string, (n: number, file: string, m: number) => string>;

export type CitationStyle = keyof typeof CITATION_STYLES;

export interface AnswerShape {
  reasoning?: ReasoningShape;
  /** 'thinking-field': how long the reasoning streams, one chunk every thinkingChunkMs (default: one pass over it). */
  thinkingMs?: number;
  /** Time between reasoning chunks in the thinking field; default 200. */
  thinkingChunkMs?: number;
  /** How the answer cites its source; default 'brackets'. */
  citationStyle?: CitationStyle;
  /** The model appends its own "Sources:" list. */
  sourcesList?: boolean;
  /** The model also cites source 99 (of however many it was given). */
  citeMissingSource?: boolean;
  /** Only reasoning, only a source list, or nothing at all instead of an answer. */
  only?: 'reasoning' | 'sources-list' | 'nothing';
}

export interface PromptSource {
  id: number;
  file: string;
  sentence: string;
}

export interface ShapedOutput {
  /** What streams in Ollama's `thinking` field. */
  thinking: string;
  content: string;
}

/** The reasoning a model writes: it restates the question and weighs sources by number, as real traces do. */
export function reasoningText(question: string, sources: readonly PromptSource[]): string {
  const [first, second] = sources;
  return [
    `Okay, the user is asking: "${question}". Let me look at the sources.`,
    first ? `Source [${first.id}] (${first.file}) says: ${first.sentence}` : 'No source seems to answer this.',
    second ? `Source [${second.id}] might be related too, but [7] does not exist, and 2 of the numbers do not match.` : '',
    'I should answer briefly and cite the source.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The double's answer in `shape`. `answer` ends with "[n]" citing `sources[0]` (when there is one). */
export function shapeAnswer(answer: string, question: string, sources: readonly PromptSource[], shape: AnswerShape): ShapedOutput {
  const [first, second] = sources;
  let body = answer;
  if (first) {
    const style = CITATION_STYLES[shape.citationStyle ?? 'brackets'];
    const written = style(first.id, first.file, second?.id ?? first.id);
    body = body.replace(new RegExp(`\\s?\\[${first.id}\\]$`, 'u'), shape.citationStyle === 'footnote' ? written : ` ${written}`);
    if (shape.citeMissingSource) body += ` The policy was last revised in 2021 ${style(99, 'archive.pdf', 98)}.`;
  }
  const list = `Sources:\n${sources.map((s) => `- [${s.id}] ${s.file}`).join('\n')}`;
  if (first && shape.sourcesList) body += `\n\n${list}`;
  if (shape.citationStyle === 'footnote' && first) body += `\n\n[^${first.id}]: ${first.file}`;

  const reasoning = reasoningText(question, sources);
  // Only an answer call has sources; a follow-up rewrite still reasons but has nothing to cite or list.
  if (first && shape.only === 'nothing') return { thinking: '', content: '' };
  if (first && shape.only === 'sources-list') body = list;
  if (first && shape.only === 'reasoning') body = '';

  switch (shape.reasoning) {
    case 'think-tags':
      return { thinking: '', content: `<think>\n${reasoning}\n</think>\n\n${body}` };
    case 'leading-close-tag':
      return { thinking: '', content: `${reasoning}\n</think>\n\n${body}` };
    case 'empty-think':
      return { thinking: '', content: `<think>\n\n</think>\n\n${body}` };
    case 'unclosed-think':
      return { thinking: '', content: `<think>\n${reasoning}\n` };
    case 'thinking-field':
      return { thinking: reasoning, content: body };
    default:
      return { thinking: '', content: first && shape.only === 'reasoning' ? `<think>\n${reasoning}\n</think>` : body };
  }
}
