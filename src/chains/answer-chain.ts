import type { Document } from '@langchain/core/documents';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { RunnableLambda, type Runnable } from '@langchain/core/runnables';
import { connectionReason, isConnectionError, oneLine } from '../errors.js';
import { log } from '../log.js';
import { formatLocation, verifyCitations, type CitableSource } from './citations.js';
import { fitToWindow, tokensPerSource, type Window } from './context-budget.js';
import { finalAnswer, hasAnswer, partialAnswerText } from './model-output.js';
import { ANSWER_SYSTEM_PROMPT, answerMessages, formatSources, questionBlock, rewriteMessages } from './prompt.js';
import type { Degradation } from './degradation.js';
import type { Retrieval } from './retrieval-pipeline.js';
import { requireScopes } from './retrievers/scopes.js';
import { sanitizeAnswer } from './sanitize.js';
import type { Answer, Citation, Turn } from './types.js';

export interface AnswerChainSettings {
  /** Sources kept after reranking (RERANK_TOP_N): the context budget is shared among them. */
  topN: number;
  window: Window;
  /** No first token (or no next token) from the chat model for this long: answer with the passages. */
  chatTimeoutMs: number;
}

export interface AnswerChainOptions {
  /** Where the sources come from: the retrieval pipeline (or any retrieval with its contract, e.g. in unit tests). */
  retrieval: Retrieval;
  chatModel: BaseChatModel;
  settings: AnswerChainSettings;
}

export interface AskInput {
  question: string;
  /** Where the question was asked, plus any scopes the operator shares with it. Never empty. */
  scopes: string[];
  /** Earlier turns of the thread, oldest first. */
  history?: Turn[];
}

/** What `stream` yields: the answer so far (already safe to show), then the final Answer. */
export type AnswerEvent = { type: 'partial'; text: string } | { type: 'answer'; answer: Answer };

export const NO_FILES_MESSAGE = 'No files are indexed here yet, so there is nothing to answer from.';
export const NOT_COVERED_MESSAGE = "The files shared here don't cover this.";
export const LLM_UNAVAILABLE_MESSAGE = 'The language model is unavailable; here are the most relevant passages:';

const SNIPPET_CHARS = 240;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? flat.slice(0, SNIPPET_CHARS - 1).trimEnd() + '…' : flat;
}

function citable(doc: Document, n: number): CitableSource {
  const m = doc.metadata;
  return {
    n,
    chunkId: String(doc.id ?? ''),
    docId: String(m.docId ?? ''),
    source: String(m.source ?? ''),
    url: String(m.url ?? ''),
    location: formatLocation(m),
    score: Number(m.rerankScore ?? m.fusedScore ?? 0),
    snippet: snippet(doc.pageContent),
  };
}

const toCitation = (s: CitableSource): Citation => ({ ...s });

/**
 * The answer chain: question → (follow-up rewrite) → the retrieval pipeline (scoped hybrid search,
 * rerank, threshold, trim) → context budget → prompt → streaming chat model → verified citations
 * and sanitized text.
 *
 * No evidence, no LLM: when nothing in scope passes the threshold, the answer says so without a model call.
 */
export class AnswerChain {
  private readonly generate: Runnable<{ question: string; history: Turn[]; sourcesBlock: string }, string>;
  private readonly rewrite: Runnable<{ history: Turn[]; question: string }, string>;

  constructor(private readonly options: AnswerChainOptions) {
    const parser = new StringOutputParser();
    this.generate = RunnableLambda.from(answerMessages).pipe(options.chatModel).pipe(parser);
    this.rewrite = RunnableLambda.from((input: { history: Turn[]; question: string }) => rewriteMessages(input.history, input.question))
      .pipe(options.chatModel)
      .pipe(parser);
  }

  async invoke(input: AskInput): Promise<Answer> {
    let final: Answer | undefined;
    for await (const event of this.stream(input)) if (event.type === 'answer') final = event.answer;
    return final!;
  }

  async *stream(input: AskInput): AsyncGenerator<AnswerEvent> {
    const started = performance.now();
    const scopes = requireScopes(input.scopes);
    const history = input.history ?? [];
    const degraded: Degradation[] = [];
    const { settings, retrieval } = this.options;

    const searched = history.length ? await this.standalone(history, input.question, degraded) : input.question;
    const perSource = tokensPerSource(settings.window, [ANSWER_SYSTEM_PROMPT, questionBlock(searched)], history, settings.topN);
    const { documents: kept, report } = await retrieval.retrieve(searched, { scopes, tokensPerSource: perSource });
    degraded.push(...report.degraded);

    const timings = (generateMs: number) => ({
      retrieveMs: Math.round(report.retrieveMs),
      rerankMs: Math.round(report.rerankMs),
      generateMs: Math.round(generateMs),
      totalMs: Math.round(performance.now() - started),
    });
    const base = { searchedQuestion: searched, ...(degraded.length ? { degraded } : {}) };

    if (kept.length === 0) {
      const closest = closestFiles(report.candidates);
      const text = closest.length
        ? `${NOT_COVERED_MESSAGE} The closest files are ${closest.map((c) => c.source).join(', ')}.`
        : NO_FILES_MESSAGE;
      yield {
        type: 'answer',
        answer: { answer: text, citations: [], alsoRelevant: closest, noEvidence: true, droppedCitations: 0, ...base, timings: timings(0) },
      };
      return;
    }

    const numbered = kept.map((doc, i) => ({ ...citable(doc, i + 1), text: doc.pageContent }));
    const plan = fitToWindow(settings.window, [ANSWER_SYSTEM_PROMPT, questionBlock(searched)], history, numbered, formatSources);
    const sources = plan.sources.map(({ text: _text, ...source }) => source);
    const allowedUrls = sources.map((s) => s.url);
    const generateStarted = performance.now();

    let raw = '';
    try {
      for await (const piece of this.withIdleTimeout((signal) =>
        this.generate.stream({ question: searched, history: plan.history, sourcesBlock: formatSources(plan.sources) }, { signal }),
      )) {
        raw += piece;
        const partial = partialAnswerText(raw, sources, allowedUrls);
        if (partial.trim()) yield { type: 'partial', text: partial };
      }
      if (!hasAnswer(raw)) throw new Error('the chat model returned no answer (nothing, only reasoning or a source list)');
    } catch (failure) {
      // A refused connection ends the stream at once (ChatOllama makes one attempt), never after chatTimeoutMs.
      const error = isConnectionError(failure) ? `the chat model is not reachable (${connectionReason(failure)})` : failure;
      log.warn(`chat model unavailable, answering with passages: ${oneLine(error)}`);
      degraded.push({ type: 'passages-only', message: `language model unavailable: ${oneLine(error)}` });
      const quoted = sources.slice(0, 3);
      const text = [LLM_UNAVAILABLE_MESSAGE, ...quoted.map((s) => `> ${s.snippet} [${s.n}]`)].join('\n\n');
      const { cited, uncited } = verifyCitations(text, sources);
      yield {
        type: 'answer',
        answer: {
          answer: sanitizeAnswer(text, allowedUrls),
          citations: cited.map(toCitation),
          alsoRelevant: uncited.map(toCitation),
          droppedCitations: 0,
          ...base,
          degraded,
          timings: timings(performance.now() - generateStarted),
        },
      };
      return;
    }

    const { text, verified } = finalAnswer(raw, sources, allowedUrls);
    if (verified.droppedMarkers)
      log.debug(`dropped ${verified.droppedMarkers} citations that match no source (${verified.dropped.join(', ')})`);
    yield {
      type: 'answer',
      answer: {
        answer: text,
        citations: verified.cited.map(toCitation),
        alsoRelevant: verified.uncited.map(toCitation),
        droppedCitations: verified.droppedMarkers,
        ...base,
        timings: timings(performance.now() - generateStarted),
      },
    };
  }

  /** The follow-up as a standalone question. The rewrite changes only the words searched, never the scopes. */
  private async standalone(history: Turn[], question: string, degraded: Degradation[]): Promise<string> {
    try {
      let text = '';
      for await (const piece of this.withIdleTimeout((signal) => this.rewrite.stream({ history, question }, { signal }))) text += piece;
      const line =
        text
          .trim()
          .split('\n')
          .find((l) => l.trim())
          ?.trim() ?? '';
      // A rewrite that rambles is worse than none.
      return line && line.length <= Math.max(400, question.length * 4) ? line : question;
    } catch (error) {
      degraded.push({ type: 'follow-up-not-rewritten', message: `follow-up not rewritten: ${oneLine(error)}` });
      const lastUser = [...history].reverse().find((t) => t.role === 'user')?.content ?? '';
      return `${lastUser} ${question}`.trim();
    }
  }

  /**
   * Iterate a stream, aborting it when no piece arrives for chatTimeoutMs: a model that never starts,
   * or stalls, turns into the passages fallback instead of a question that hangs.
   */
  private async *withIdleTimeout(start: (signal: AbortSignal) => Promise<AsyncIterable<string>>): AsyncGenerator<string> {
    const controller = new AbortController();
    const timeoutMs = this.options.settings.chatTimeoutMs;
    const limited = <T>(work: Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        // The timer lives only while we wait: a slow consumer of this generator never trips it.
        const timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer from the chat model within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        work.then(
          (value) => (clearTimeout(timer), resolve(value)),
          (error: unknown) => (clearTimeout(timer), reject(error)),
        );
      });
    try {
      const iterator = (await limited(start(controller.signal)))[Symbol.asyncIterator]();
      for (;;) {
        const next = await limited(iterator.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      controller.abort();
    }
  }
}

/** The top few files among the candidates the threshold rejected: suggestions, not citations. */
function closestFiles(candidates: Document[]): Citation[] {
  const seen = new Set<string>();
  const closest: Citation[] = [];
  for (const doc of candidates) {
    const key = `${doc.metadata.scope}\n${doc.metadata.docId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    closest.push(toCitation(citable(doc, closest.length + 1)));
    if (closest.length === 3) break;
  }
  return closest;
}
