/** Character error rate, as the OCR benchmarks measure it. */

/** Edit distance over Unicode characters. */
export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** English keeps single spaces between words; Chinese is compared without any whitespace. */
export function comparable(text: string, language: 'en' | 'zh'): string {
  return language === 'zh' ? text.replace(/\s+/g, '') : text.replace(/\s+/g, ' ').trim();
}

/** Total edits over total reference characters. */
export function cer(pairs: { reference: string; read: string }[]): number {
  const edits = pairs.reduce((n, p) => n + levenshtein(p.reference, p.read), 0);
  return edits / pairs.reduce((n, p) => n + [...p.reference].length, 0);
}
