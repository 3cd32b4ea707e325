/** The logistic function: maps a relevance logit to a 0..1 probability. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
