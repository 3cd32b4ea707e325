/**
 * What the suggestions under a "not covered" answer are called: "Closest files", or "Closest sources" once
 * any of them is a conversation (a thread or a day of messages is not a file).
 */
import { CONVERSATION_DOC_PREFIX } from '../store/conversation-message.js';
import type { Messages } from '../messages/catalogue.js';
import type { Answer, Citation } from './types.js';

export function includesMessages(citations: readonly Pick<Citation, 'docId'>[]): boolean {
  return citations.some((c) => c.docId.startsWith(CONVERSATION_DOC_PREFIX));
}

/** The label over an answer's also-relevant list. */
export function alsoRelevantLabel(labels: Messages['labels'], answer: Pick<Answer, 'noEvidence' | 'alsoRelevant'>): string {
  if (!answer.noEvidence) return labels.alsoRelevant;
  return includesMessages(answer.alsoRelevant) ? labels.closestSources : labels.closestFiles;
}
