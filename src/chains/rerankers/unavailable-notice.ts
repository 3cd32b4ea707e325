import { log } from '../../log.js';
import type { Reranker } from './reranker.js';

const told = new WeakSet<Reranker>();
let answersSayIt = false;

/** A terminal surface (ask, chat) says it under the answer instead (`(note: reranker unavailable: …)`): no log line besides. */
export function sayRerankerNoticeUnderAnswers(): void {
  answersSayIt = true;
}

/**
 * Says once per reranker (the core has one: once per process) that it is unavailable and what
 * answers do instead. serve's warm-up and the retrieval pipeline both report through here, so the
 * operator reads it once; each answer still carries its own `fusion-order` degradation.
 */
export function noteRerankerUnavailable(reranker: Reranker, reason: string): void {
  if (told.has(reranker)) return;
  told.add(reranker);
  if (answersSayIt) return;
  log.warn(`reranker unavailable: answers use fusion order (dense + keyword) until it loads: ${reason}`);
}
