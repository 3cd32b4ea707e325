import type { Document } from '@langchain/core/documents';
import type { BaseMessage, BaseMessageChunk } from '@langchain/core/messages';
import { randomBytes } from 'node:crypto';
import { connectionReason, isConnectionError, oneLine } from '../errors.js';
import { log } from '../log.js';
import { detectLanguage, messages, type Language } from '../messages/index.js';
import type { ChatModelChoice } from '../models/provider.js';
import { includesMessages } from './closest-label.js';
import { formatLocation, verifyCitations, type CitableSource } from './citations.js';
import { fitToWindow, tokensPerSource, type Window } from './context-budget.js';
import { finalAnswer, hasAnswer, isReasoning, partialAnswerText } from './model-output.js';
import { ANSWER_SYSTEM_PROMPT, answerMessages, formatSources, questionBlock, reminderBlock, rewriteMessages } from './prompt.js';
import { stripReasoning } from './reasoning.js';
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
  /** The chat model for the next question, with `think` decided for it (see src/models/provider.ts). */
  chatModel: () => Promise<ChatModelChoice>;
  settings: AnswerChainSettings;
}

export interface AskInput {
  question: string;
  /** Where the question was asked, plus any scopes the operator shares with it. Never empty. */
  scopes: string[];
  /** Earlier turns of the thread, oldest first. */
  history?: Turn[];
  /** Names this question in logs (e.g. dropped citations); a short random id when not given. */
  id?: string;
}

/**
 * What `stream` yields: `thinking` once the model starts reasoning (shown as progress, never the
 * reasoning itself), the answer so far (already safe to show), then the final Answer.
 */
export type AnswerEvent = { type: 'thinking' } | { type: 'partial'; text: string } | { type: 'answer'; answer: Answer };

/** One streamed piece of the chat model's output: its text and its reasoning in a separate field. */
interface ModelPiece {
  content: string;
  thinking: string;
}

/** The English texts, for callers that compare (the catalogue has every language: src/messages). */
export const NO_FILES_MESSAGE = messages('en').answer.noFilesIndexed;
export const NOT_COVERED_MESSAGE = messages('en').answer.notCovered;
export const LLM_UNAVAILABLE_MESSAGE = messages('en').answer.modelUnavailable;

export const newQuestionId = () => randomBytes(4).toString('hex');

const SNIPPET_CHARS = 240;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? flat.slice(0, SNIPPET_CHARS - 1).trimEnd() + '…' : flat;
}

/** A retrieved passage as a numbered source: citation data and a short snippet. */
export function citable(doc: Document, n: number): CitableSource {
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
  constructor(private readonly options: AnswerChainOptions) {}

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
    const id = input.id ?? newQuestionId();
    const language: Language = detectLanguage(input.question);
    const text$ = messages(language);
    const chat = await this.options.chatModel();
    // Reasoning takes room in the window too: the prompt gets what the answer and the reasoning leave.
    // The server's own window, when it reports one, is the one the prompt must fit.
    const window = {
      numCtx: chat.numCtx ?? settings.window.numCtx,
      answerReserve: settings.window.answerReserve + chat.extraReserve,
    };
    const fixedParts = (question: string) => [ANSWER_SYSTEM_PROMPT, reminderBlock(text$.language.name), questionBlock(question)];

    const searched = history.length ? await this.standalone(chat, history, input.question, degraded) : input.question;
    const perSource = tokensPerSource(window, fixedParts(searched), history, settings.topN);
    const { documents: kept, report } = await retrieval.retrieve(searched, { scopes, tokensPerSource: perSource });
    degraded.push(...report.degraded);

    const timings = (generateMs: number) => ({
      retrieveMs: Math.round(report.retrieveMs),
      rerankMs: Math.round(report.rerankMs),
      generateMs: Math.round(generateMs),
      totalMs: Math.round(performance.now() - started),
    });
    const base = { id, language, searchedQuestion: searched, ...(degraded.length ? { degraded } : {}) };

    if (kept.length === 0) {
      const closest = closestFiles(report.candidates);
      const names = closest.map((c) => c.source);
      const closestText = includesMessages(closest) ? text$.answer.notCoveredClosestSources(names) : text$.answer.notCoveredClosest(names);
      const text = closest.length ? closestText : text$.answer.noFilesIndexed;
      yield {
        type: 'answer',
        answer: { answer: text, citations: [], alsoRelevant: closest, noEvidence: true, droppedCitations: 0, ...base, timings: timings(0) },
      };
      return;
    }

    const numbered = kept.map((doc, i) => ({ ...citable(doc, i + 1), text: doc.pageContent }));
    const plan = fitToWindow(window, fixedParts(searched), history, numbered, formatSources);
    const sources = plan.sources.map(({ text: _text, ...source }) => source);
    const allowedUrls = sources.map((s) => s.url);
    const generateStarted = performance.now();

    const prompt = answerMessages({
      question: searched,
      history: plan.history,
      sourcesBlock: formatSources(plan.sources),
      language: text$.language.name,
    });
    const hint = { mayStartInReasoning: chat.mayStartInReasoning };
    let raw = '';
    let thinkingShown = false;
    try {
      // Every piece counts as progress, reasoning in the thinking field included: a model that thinks is not stalled.
      for await (const piece of this.withIdleTimeout(chat, prompt)) {
        raw += piece.content;
        const partial = partialAnswerText(raw, sources, allowedUrls, hint);
        if (partial.trim()) yield { type: 'partial', text: partial };
        else if (!thinkingShown && (piece.thinking || isReasoning(raw, hint))) {
          thinkingShown = true;
          yield { type: 'thinking' };
        }
      }
      if (!hasAnswer(raw)) throw new Error('the chat model returned no answer (nothing, only reasoning or a source list)');
    } catch (failure) {
      // A refused connection ends the stream at once (the chat clients make one attempt), never after chatTimeoutMs.
      const error = isConnectionError(failure) ? `the chat model is not reachable (${connectionReason(failure)})` : failure;
      log.warn(`chat model unavailable, answering with passages: ${oneLine(error)}`);
      degraded.push({ type: 'passages-only', message: `language model unavailable: ${oneLine(error)}` });
      const quoted = sources.slice(0, 3);
      const text = [text$.answer.modelUnavailable, ...quoted.map((s) => `> ${s.snippet} [${s.n}]`)].join('\n\n');
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
      log.debug(`question ${id}: dropped ${verified.droppedMarkers} citations that match no source (${verified.dropped.join(', ')})`);
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
  private async standalone(chat: ChatModelChoice, history: Turn[], question: string, degraded: Degradation[]): Promise<string> {
    try {
      let text = '';
      for await (const piece of this.withIdleTimeout(chat, rewriteMessages(history, question))) text += piece.content;
      // A thinking model's rewrite starts with its reasoning: only what follows it is the question.
      const line =
        stripReasoning(text)
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
  private async *withIdleTimeout(chat: ChatModelChoice, prompt: BaseMessage[]): AsyncGenerator<ModelPiece> {
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
      const iterator = (await limited(chat.model.stream(prompt, { signal: controller.signal })))[Symbol.asyncIterator]();
      for (;;) {
        const next = await limited(iterator.next());
        if (next.done) return;
        yield modelPiece(next.value);
      }
    } finally {
      controller.abort();
    }
  }
}

/** A chunk's text and reasoning: the LangChain clients keep Ollama's `thinking` and vLLM's or DeepSeek's `reasoning_content` as `reasoning_content`. */
function modelPiece(chunk: BaseMessageChunk): ModelPiece {
  const thinking = chunk.additional_kwargs.reasoning_content;
  return {
    content: typeof chunk.content === 'string' ? chunk.content : chunk.text,
    thinking: typeof thinking === 'string' ? thinking : '',
  };
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
