/**
 * Why an answer or a search is not a normal one, as a typed value (like the AI SDK's warnings):
 * callers branch on `type`; `message` is the line a person reads.
 */
export type Degradation =
  /** The embedding model is unreachable: the search used keywords only. */
  | { type: 'keyword-only'; message: string }
  /** The reranker could not load or answer: candidates kept in fusion order. */
  | { type: 'fusion-order'; message: string }
  /** The follow-up could not be rewritten to stand alone: the thread's last question was prepended. */
  | { type: 'follow-up-not-rewritten'; message: string }
  /** The chat model failed or stalled: the answer quotes the passages instead. */
  | { type: 'passages-only'; message: string };

export type DegradationType = Degradation['type'];
