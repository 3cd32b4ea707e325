/**
 * Confidence intervals for small question sets. A generated set has tens to hundreds of questions, so a
 * 0.02 difference in hit@1 may be noise: the recommendation says by how much it beats the defaults with
 * a 95 % interval. Wilson's interval for one rate; a paired bootstrap for the difference between two
 * configurations on the same questions (pairing removes the questions' own difficulty from the noise).
 */

/** Wilson score interval (95 %) for `hits` successes out of `n`. */
export function wilson(hits: number, n: number, z = 1.96): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = hits / n;
  const denominator = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, (centre - spread) / denominator), high: Math.min(1, (centre + spread) / denominator) };
}

/** mulberry32: a small seeded generator, so the same set gives the same interval on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mean of `a[i] - b[i]` with a 95 % percentile bootstrap interval (questions resampled with replacement).
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): { mean: number; low: number; high: number } {
  const n = Math.min(a.length, b.length);
  if (n === 0) return { mean: 0, low: 0, high: 0 };
  const diffs = Array.from({ length: n }, (_, i) => a[i]! - b[i]!);
  const mean = diffs.reduce((x, y) => x + y, 0) / n;
  const random = seeded(options.seed ?? 1);
  const resamples = options.resamples ?? 2000;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[Math.floor(random() * n)]!;
    means.push(sum / n);
  }
  means.sort((x, y) => x - y);
  return { mean, low: means[Math.floor(0.025 * (resamples - 1))]!, high: means[Math.ceil(0.975 * (resamples - 1))]! };
}
