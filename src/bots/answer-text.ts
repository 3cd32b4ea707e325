import type { Answer, Citation } from '../chains/types.js';

/** One source line for plain-text surfaces: `[1] report.pdf · p. 3 — /path/to/report.pdf`. */
export function sourceLine(c: Citation): string {
  return `[${c.n}] ${c.source}${c.location ? ` · ${c.location}` : ''}${c.url ? ` — ${c.url}` : ''}`;
}

/** An answer's source list for a terminal: cited sources, then the also-relevant ones, then notes. */
export function plainSources(answer: Answer): string {
  const lines: string[] = [];
  if (answer.citations.length) lines.push('Sources:', ...answer.citations.map(sourceLine));
  if (answer.alsoRelevant.length) lines.push(answer.noEvidence ? 'Closest files:' : 'Also relevant:', ...answer.alsoRelevant.map(sourceLine));
  for (const note of answer.degraded ?? []) lines.push(`(note: ${note})`);
  return lines.join('\n');
}
