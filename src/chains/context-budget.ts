import { estimateTokens } from '../text/tokens.js';
import type { Turn } from './types.js';

/**
 * Fitting a prompt into the chat model's window. Ollama silently drops the start of an over-long
 * prompt (losing the rules and the first sources), so citebot counts first and never sends one.
 * Counts are estimates (src/text/tokens.ts) with a safety margin, since the model's own tokenizer
 * may count CJK text or rare words higher.
 */
const SAFETY = 0.9;
/** Role markers and separators the chat template adds around each message. */
const PER_MESSAGE = 8;

export interface BudgetedSource {
  n: number;
  source: string;
  location: string;
  text: string;
}

export interface BudgetPlan<S extends BudgetedSource> {
  sources: S[];
  history: Turn[];
  /** Estimated tokens of everything sent, answer reserve excluded. */
  promptTokens: number;
  droppedSources: number;
  droppedTurns: number;
}

export interface Window {
  numCtx: number;
  answerReserve: number;
}

/** Tokens available for the prompt: the window minus the answer reserve, with the safety margin. */
export function promptCapacity(window: Window): number {
  return Math.floor(window.numCtx * SAFETY) - window.answerReserve;
}

/**
 * How many tokens each of `count` sources may take, given what else goes into the prompt.
 * The sentence trimmer uses this to shorten passages only when the window is tight.
 */
export function tokensPerSource(window: Window, fixedText: string[], history: Turn[], count: number): number {
  const fixed =
    fixedText.reduce((n, t) => n + estimateTokens(t) + PER_MESSAGE, 0) +
    history.reduce((n, t) => n + estimateTokens(t.content) + PER_MESSAGE, 0);
  return Math.max(64, Math.floor((promptCapacity(window) - fixed) / Math.max(1, count)) - 20);
}

/**
 * Choose what fits: older history turns go first (the last exchange is kept), then the
 * lowest-ranked sources (sources come in rank order), then the rest of the history, then the last
 * source is cut. `render` gives the text of the sources block for a list of sources.
 */
export function fitToWindow<S extends BudgetedSource>(
  window: Window,
  fixedText: string[],
  history: Turn[],
  sources: S[],
  render: (sources: S[]) => string,
): BudgetPlan<S> {
  const capacity = promptCapacity(window);
  const fixed = fixedText.reduce((n, t) => n + estimateTokens(t) + PER_MESSAGE, 0) + PER_MESSAGE;
  const historyTokens = (turns: Turn[]) => turns.reduce((n, t) => n + estimateTokens(t.content) + PER_MESSAGE, 0);
  const total = (turns: Turn[], kept: S[]) => fixed + historyTokens(turns) + estimateTokens(render(kept));

  let turns = [...history];
  let kept = [...sources];
  while (turns.length > 2 && total(turns, kept) > capacity) turns = turns.slice(1);
  while (kept.length > 1 && total(turns, kept) > capacity) kept = kept.slice(0, -1);
  while (turns.length > 0 && total(turns, kept) > capacity) turns = turns.slice(1);
  if (kept.length === 1 && total(turns, kept) > capacity) {
    const only = kept[0]!;
    const room = capacity - fixed - historyTokens(turns) - estimateTokens(render([{ ...only, text: '' }]));
    kept = room > 16 ? [{ ...only, text: cutToTokens(only.text, room) }] : [];
  }
  return {
    sources: kept,
    history: turns,
    promptTokens: total(turns, kept),
    droppedSources: sources.length - kept.length,
    droppedTurns: history.length - turns.length,
  };
}

/** The longest prefix of `text` within `tokens` (by the same estimate), ending with an ellipsis. */
export function cutToTokens(text: string, tokens: number): string {
  if (estimateTokens(text) <= tokens) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (estimateTokens(text.slice(0, mid)) + 1 <= tokens) low = mid;
    else high = mid - 1;
  }
  return text.slice(0, low).trimEnd() + '…';
}
