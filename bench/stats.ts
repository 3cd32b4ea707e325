/** Summaries of latency samples, and how the benchmarks' tables print them. */
import { fixed } from './support.js';

/** The nearest-rank percentile (q from 0 to 1); NaN for no values. */
export const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : NaN;
};
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
export const ms = (n: number) => `${fixed(n, 0)} ms`;

/** "p50 / p95 / max", the p95 in bold where it is the figure a target is about. */
export const spread = (values: number[], boldP95 = false) => {
  if (!values.length) return 'n/a';
  const p95 = ms(percentile(values, 0.95));
  return `${ms(percentile(values, 0.5))} / ${boldP95 ? `**${p95}**` : p95} / ${ms(Math.max(...values))}`;
};
/** "p50 / p95". */
export const pair = (values: number[]) => `${ms(percentile(values, 0.5))} / ${ms(percentile(values, 0.95))}`;

/** The most of these times (in ms) that fall within one second of each other, as a rate limit counts them. */
export const mostInOneSecond = (times: number[]) => Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
