import type { AnswerEvent } from '../chains/answer-chain.js';
import { alsoRelevantLabel } from '../chains/closest-label.js';
import type { Answer, Citation } from '../chains/types.js';
import { messages } from '../messages/index.js';

/** One source line for plain-text surfaces: `[1] report.pdf · p. 3 — /path/to/report.pdf`. */
export function sourceLine(c: Citation): string {
  return `[${c.n}] ${c.source}${c.location ? ` · ${c.location}` : ''}${c.url ? ` — ${c.url}` : ''}`;
}

/** Notes said once per process however many answers carry them (chat): the reranker's fallback. */
const ONCE = new Set<string>(['fusion-order']);
const saidOnce = new Set<string>();

/** An answer's source list for a terminal: cited sources, then the also-relevant ones, then notes. */
export function plainSources(answer: Answer): string {
  const lines: string[] = [];
  const { labels } = messages(answer.language);
  if (answer.citations.length) lines.push(`${labels.sources}:`, ...answer.citations.map(sourceLine));
  if (answer.alsoRelevant.length) lines.push(`${alsoRelevantLabel(labels, answer)}:`, ...answer.alsoRelevant.map(sourceLine));
  // The reranker's fallback is said under the first answer only (and not in the log: sayRerankerNoticeUnderAnswers).
  for (const note of answer.degraded ?? []) {
    if (ONCE.has(note.type) && saidOnce.has(note.type)) continue;
    if (ONCE.has(note.type)) saidOnce.add(note.type);
    lines.push(`(note: ${note.message})`);
  }
  return lines.join('\n');
}

/**
 * Write an answer stream to a text surface: partial text as it grows (when `live`), then the final
 * answer — only its remainder if the stream already showed the start, whole if verification changed
 * earlier text — followed by its sources. Returns the final answer.
 */
export async function writeAnswerStream(events: AsyncIterable<AnswerEvent>, write: (text: string) => void, live = true): Promise<Answer> {
  let printed = '';
  for await (const event of events) {
    if (event.type === 'partial') {
      if (live && event.text.startsWith(printed)) {
        write(event.text.slice(printed.length));
        printed = event.text;
      }
      continue;
    }
    // Reasoning is never shown; a terminal needs no placeholder for it.
    if (event.type === 'thinking') continue;
    const { answer } = event;
    if (printed && answer.answer.startsWith(printed)) write(answer.answer.slice(printed.length) + '\n');
    else write((printed ? '\n\n' : '') + answer.answer + '\n');
    const sources = plainSources(answer);
    if (sources) write('\n' + sources + '\n');
    return answer;
  }
  throw new Error('the answer stream ended without an answer');
}
