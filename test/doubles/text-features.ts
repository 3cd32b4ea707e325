/**
 * Deterministic text features for the Ollama test double: a tokenizer, a token-count estimate and a
 * feature-hashed bag-of-words "embedding". Nothing here is a language model; it is just meaningful
 * enough that texts sharing words end up closer (by cosine) than texts that share none, so retrieval
 * tests and benchmarks exercise real ranking without a GPU.
 */

/** Han, kana and Hangul: scripts written without spaces, where one character is roughly one token. */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** A CJK character, or a run of other letters/digits (a "word"). Punctuation and spaces separate. */
const PIECE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{M}\p{N}])+/gu;

/** Tiny on purpose: only words frequent enough to swamp short texts. */
const STOPWORDS = new Set(
  (
    'a an and are as at be by for from has have how i in is it its of on or that the this to was were what when ' +
    'where which who why will with you your do does did can'
  ).split(' '),
);

/**
 * Task prefixes some embedding models expect (nomic-embed-text, mxbai-embed-large). The real models are
 * trained so a prefix conditions the vector without dominating similarity; hashing the prefix's words
 * would instead add the same features to every document (or every query) and skew cosine for short
 * texts. So the features ignore them; the double still records the raw inputs for tests to assert.
 */
const TASK_PREFIX =
  /^\s*(?:(?:search_document|search_query|classification|clustering):\s*|Represent this sentence for searching relevant passages:\s*)/i;

/** FNV-1a, 32-bit, over UTF-16 code units; `seed` replaces the offset basis so models hash differently. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** "nomic-embed-text" and "NOMIC-EMBED-TEXT:latest" name the same model, as in Ollama. */
export function canonicalModelName(name: string): string {
  const lower = name.trim().toLowerCase();
  const lastSlash = lower.lastIndexOf('/');
  return lower.indexOf(':', lastSlash + 1) === -1 ? `${lower}:latest` : lower;
}

function isCjk(piece: string): boolean {
  return CJK_CHAR.test(piece);
}

/** Drop a plural "s" so "refunds" matches "refund"; deliberately crude. */
function normalizeWord(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/**
 * Feature tokens of a text: lowercase words minus stopwords, and for CJK runs each character plus each
 * pair of adjacent characters (bigrams carry most of the meaning in Chinese and Japanese).
 */
export function featureTokens(text: string): string[] {
  const tokens: string[] = [];
  let run: string[] = []; // the current run of adjacent CJK characters
  const flushRun = () => {
    for (let i = 0; i + 1 < run.length; i++) tokens.push(run[i]! + run[i + 1]!);
    run = [];
  };
  let previousEnd = 0;
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(PIECE)) {
    const piece = match[0];
    // Anything between two CJK characters (punctuation, space) ends the run: no bigram across it.
    if (match.index !== previousEnd) flushRun();
    previousEnd = match.index + piece.length;
    if (isCjk(piece)) {
      tokens.push(piece);
      run.push(piece);
      continue;
    }
    flushRun();
    if (!STOPWORDS.has(piece)) tokens.push(normalizeWord(piece));
  }
  flushRun();
  return tokens;
}

/**
 * Rough token count, the same rule citebot's chunker uses: one token per CJK character and about 0.75
 * words per token elsewhere. Used for prompt_eval_count / eval_count and for context-length truncation.
 */
export function estimateTokens(text: string): number {
  let words = 0;
  let cjk = 0;
  for (const [piece] of text.matchAll(PIECE)) {
    if (isCjk(piece)) cjk++;
    else words++;
  }
  return cjk + Math.ceil((words * 4) / 3);
}

/** The longest prefix of `text` whose estimated token count is at most `maxTokens`. */
export function truncateToTokens(text: string, maxTokens: number): string {
  let words = 0;
  let cjk = 0;
  for (const match of text.matchAll(PIECE)) {
    if (isCjk(match[0])) cjk++;
    else words++;
    if (cjk + Math.ceil((words * 4) / 3) > maxTokens) return text.slice(0, match.index);
  }
  return text;
}

/**
 * The double's embedding of `text` for `model`: feature hashing into `dim` buckets with a hash-derived
 * sign, each feature weighted 1 + ln(tf), then L2-normalized. The model name seeds the hash, so two models
 * give unrelated vectors for the same text. A text without features gets a fixed unit vector (never NaN).
 * Exported so benchmarks can compute the exact vectors the double serves (no truncation or `dimensions`).
 */
export function hashEmbedding(text: string, model: string, dim: number): number[] {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dimension must be a positive integer, got ${dim}`);
  const seed = fnv1a(canonicalModelName(model));
  const counts = new Map<string, number>();
  for (const token of featureTokens(text.replace(TASK_PREFIX, ''))) counts.set(token, (counts.get(token) ?? 0) + 1);
  if (counts.size === 0) counts.set('\u0000empty', 1);

  const vector = new Array<number>(dim).fill(0);
  for (const [token, tf] of counts) {
    const h = fnv1a(token, seed);
    // A second, independent hash picks the sign, so colliding features cancel out on average.
    const sign = fnv1a(token, seed ^ 0x9e3779b9) & 1 ? 1 : -1;
    vector[h % dim]! += sign * (1 + Math.log(tf));
  }
  return normalize(vector);
}

/** L2-normalize; an all-zero vector (every feature cancelled out) becomes the first basis vector. */
export function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((v) => v / norm);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
