import type { Language } from '../messages/index.js';
import type { Degradation } from './degradation.js';

/** One numbered source in an answer, as adapters render it: `[n] <url|source> · location`. */
export interface Citation {
  /** 1-based number, as it appears in the answer text. */
  n: number;
  chunkId: string;
  docId: string;
  source: string;
  url: string;
  /** Human-readable place in the file: "p. 3", "slide 4", "sheet Budget", "Design > Limits", or "". */
  location: string;
  /** Relevance (reranker score 0..1, or the fusion score when no reranker ran). */
  score: number;
  /** A short excerpt of the passage. */
  snippet: string;
}

export interface AnswerTimings {
  retrieveMs: number;
  rerankMs: number;
  generateMs: number;
  totalMs: number;
}

/** What the answer chain returns for one question. */
export interface Answer {
  /** The question's id in logs (AskInput.id, or a short random one). */
  id: string;
  /** The question's language: the fixed texts in `answer` and the labels around it are in it. */
  language: Language;
  /** The answer text with [n] markers that all match `citations`. Safe to post: no mass mentions, no foreign links. */
  answer: string;
  /** The sources cited in the answer, numbered in order of first use. */
  citations: Citation[];
  /** Other retrieved sources that were not cited, numbered after the cited ones. */
  alsoRelevant: Citation[];
  /** Citations the model wrote that match no source (removed from `answer`); 0 when no model answered. */
  droppedCitations: number;
  /** Why the answer is not a normal one (e.g. the reranker was unavailable and fusion order was used). */
  degraded?: Degradation[];
  /** True when nothing in scope was relevant: no LLM call was made. */
  noEvidence?: boolean;
  /** The question actually searched (a follow-up rewritten to stand alone). */
  searchedQuestion: string;
  timings: AnswerTimings;
}

/** One earlier turn of the conversation, supplied by the adapter (thread history). */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}
