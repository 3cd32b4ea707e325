/**
 * A reranker behind an HTTP /rerank endpoint, in one of the two API shapes servers speak:
 *
 *  - `tei` (Hugging Face Text Embeddings Inference):
 *      POST {query, texts, raw_scores: false, truncate: true}  ->  [{index, score}]
 *  - `cohere` (Cohere, Jina, vLLM, llama.cpp, Infinity):
 *      POST {model, query, documents, top_n}  ->  {results: [{index, relevance_score}]}
 *
 * Both answer sorted by score; results are put back in the passages' order by `index`.
 *
 * Scores are meant to be 0..1: TEI with raw_scores false applies the sigmoid itself, Cohere-style
 * relevance_score is a probability. Some servers (llama.cpp, for one) send raw logits instead: once any
 * score outside [0, 1] has been seen, this reranker applies a sigmoid to every score from then on, so
 * RERANK_MIN_SCORE keeps one meaning. The warm-up request in load() usually reveals it before the first question.
 */
import { CitebotError, connectionReason, isConnectionError, oneLine } from '../../errors.js';
import type { Reranker } from './reranker.js';
import { sigmoid } from './sigmoid.js';

export type RerankApi = 'cohere' | 'tei';

export interface HttpRerankerOptions {
  /** The full endpoint URL (RERANK_URL), e.g. http://127.0.0.1:8080/rerank. */
  url: string;
  api: RerankApi;
  /** Sent as `model` in the cohere shape (RERANK_MODEL); TEI serves one model and ignores it. */
  model: string;
  /** Passages per request (RERANK_BATCH_SIZE): TEI refuses more than 32 by default. */
  batchSize: number;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** How many characters of an error body go into the one-line message. */
const ERROR_BODY_CHARS = 160;

interface IndexedScore {
  index: number;
  score: number;
}

export class HttpReranker implements Reranker {
  readonly name: string;
  private readonly timeoutMs: number;
  /** Set once the server has sent a score outside [0, 1]: it returns logits, so sigmoid them all. */
  private serverSendsLogits = false;

  constructor(private readonly options: HttpRerankerOptions) {
    this.name = `http ${options.api} ${options.url}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** One tiny request: the server is up, speaks this API shape and knows the model. */
  async load(): Promise<void> {
    await this.score('warm-up query', ['warm-up passage']);
  }

  async score(query: string, passages: string[]): Promise<number[]> {
    if (passages.length === 0) return [];
    const batches: string[][] = [];
    for (let start = 0; start < passages.length; start += this.options.batchSize) {
      batches.push(passages.slice(start, start + this.options.batchSize));
    }
    // Sent together: rerank servers batch concurrent requests on their side.
    const raw = (await Promise.all(batches.map((batch) => this.scoreBatch(query, batch)))).flat();
    if (raw.some((score) => score < 0 || score > 1)) this.serverSendsLogits = true;
    return this.serverSendsLogits ? raw.map(sigmoid) : raw;
  }

  private async scoreBatch(query: string, passages: string[]): Promise<number[]> {
    const body =
      this.options.api === 'tei'
        ? { query, texts: passages, raw_scores: false, truncate: true }
        : { model: this.options.model, query, documents: passages, top_n: passages.length };
    const answer = await this.post(body);
    const results = this.options.api === 'tei' ? parseTei(answer) : parseCohere(answer);
    if (!results) {
      throw this.error(
        `answered in a shape that is not the ${this.options.api} /rerank API`,
        `set RERANK_API to the server's API (cohere or tei)`,
      );
    }
    // In the passages' order. A passage the server left out ranked below every returned one: score it 0.
    const scores = new Array<number>(passages.length).fill(0);
    for (const { index, score } of results) {
      if (Number.isInteger(index) && index >= 0 && index < passages.length) scores[index] = score;
    }
    return scores;
  }

  private async post(body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.requestError(err);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw this.requestError(err);
    }
    if (!response.ok) {
      const detail = text.replace(/\s+/g, ' ').trim().slice(0, ERROR_BODY_CHARS);
      throw this.error(
        `answered HTTP ${response.status}${detail ? ` (${detail})` : ''}`,
        `check that RERANK_URL is the /rerank endpoint and that RERANK_API (${this.options.api}) and RERANK_MODEL match the server, or set RERANKER=none`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.error('answered with something that is not JSON', 'check that RERANK_URL is the /rerank endpoint, or set RERANKER=none');
    }
  }

  private requestError(err: unknown): CitebotError {
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return this.error(
        `did not answer within ${this.timeoutMs / 1000} s`,
        'check the server (it may be overloaded or still loading its model), or set RERANKER=none',
        err,
      );
    }
    const reason = isConnectionError(err) ? `cannot be reached (${connectionReason(err)})` : `request failed (${oneLine(err)})`;
    return this.error(reason, 'start the /rerank server or correct RERANK_URL, or set RERANKER=none', err);
  }

  private error(problem: string, fix: string, cause?: unknown): CitebotError {
    return new CitebotError('reranker_unavailable', `the reranker at ${this.options.url} ${problem}`, { fix: `${fix}`, cause });
  }
}

/** TEI: `[{index, score}]`. */
function parseTei(answer: unknown): IndexedScore[] | undefined {
  if (!Array.isArray(answer)) return undefined;
  return everyIndexedScore(answer.map((item: { index?: unknown; score?: unknown }) => ({ index: item?.index, score: item?.score })));
}

/** Cohere and friends: `{results: [{index, relevance_score}]}`. */
function parseCohere(answer: unknown): IndexedScore[] | undefined {
  const results = (answer as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return undefined;
  return everyIndexedScore(
    results.map((item: { index?: unknown; relevance_score?: unknown }) => ({ index: item?.index, score: item?.relevance_score })),
  );
}

function everyIndexedScore(items: { index: unknown; score: unknown }[]): IndexedScore[] | undefined {
  const valid = items.every((item) => typeof item.index === 'number' && typeof item.score === 'number' && Number.isFinite(item.score));
  return valid ? (items as IndexedScore[]) : undefined;
}
