/**
 * `citebot eval --generate N`: a question set made from a scope's own indexed chunks, each question with
 * its gold chunk. With the chat model (chat-questions.ts) as far as it writes usable questions, topped up
 * with inverse cloze (cloze.ts) on other chunks when it yields fewer than N or does not answer at all. The set is written to `<DATA_DIR>/eval-cache/generated/<key>.jsonl`, keyed by the scope's
 * content, the size and the chat model: a second run reuses it (also after a person edited it), and
 * `citebot eval --qa <that file>` reads it. Only the eval cache is written; the user's index is read.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../../config.js';
import { CitebotError, oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { createChatModelProvider } from '../../models/index.js';
import type { StoredChunk } from '../../store/chunk.js';
import { keywordWords } from '../../text/tokens.js';
import { passageDocId, questionLines, type EvalPassage, type EvalQuestion, type EvalSet } from '../dataset.js';
import { askForQuestion, chatModelMissing } from './chat-questions.js';
import type { RejectionKind } from './overlap.js';
import { clozePair } from './cloze.js';
import { sampleOrder, scopeContentKey } from './scope-chunks.js';

export type Generator = 'chat-model' | 'cloze';

/** Bumped when generation changes, so old cached sets are not reused. */
const GENERATION_VERSION = 2;
/** Chunks tried per question wanted before giving up (rejected questions, chunks too short). */
const ATTEMPTS_PER_QUESTION = 3;
/** Passages tried (each with its stricter retry) without one usable question: the model cannot do it, cloze does the rest. */
const GIVE_UP_AFTER = 10;
/** Chunks shorter than this make poor questions. */
const MIN_CHUNK_WORDS = 15;
/** Distractor chunks indexed besides the gold ones: bounds the throwaway index's size on a big scope. */
export const MAX_DISTRACTORS = 3000;

/** One line of the generated JSONL: what `--qa` reads ({question, answers, context}), plus where it came from. */
export interface GeneratedLine {
  id: string;
  question: string;
  /** Empty: the gold is the passage itself (a hit is a chunk of it), not an answer string. */
  answers: string[];
  context: string;
  doc: string;
  chunkId: string;
  generator: Generator;
}

/** How many questions each generator made. */
export type GeneratorMix = Record<Generator, number>;

/** The chat model's questions that were not kept, by why (a first attempt and its retry count separately). */
export type Rejections = Record<RejectionKind, number>;

export interface GeneratedSet {
  /** The generator of most questions (chat-model on a tie); `mix` has both counts. */
  generator: Generator;
  mix: GeneratorMix;
  /** The scope's chunks (gold and distractors) as passages, and the questions. */
  set: EvalSet;
  file: string;
  cached: boolean;
  rejected: Rejections;
  /** Passages asked a second time with the stricter prompt after a rejected first question. */
  retried: number;
  /** Why the chat model was not used at all (it did not answer), or stopped being asked (no usable question). */
  fallbackReason?: string;
  seconds: number;
}

export function rejectedTotal(r: Rejections): number {
  return r.copied + r['too long'] + r['no question'];
}

export type GenerateProgress = (done: number, total: number) => void;

function cacheFile(settings: Settings, scope: string, chunks: readonly StoredChunk[], n: number): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ v: GENERATION_VERSION, scope, n, chat: settings.CHAT_MODEL, content: scopeContentKey(chunks) }))
    .digest('hex')
    .slice(0, 16);
  return join(settings.DATA_DIR, 'eval-cache', 'generated', `${key}.jsonl`);
}

interface ChatOutcome {
  lines: GeneratedLine[];
  rejected: Rejections;
  retried: number;
  /** Set when the model was given up on. */
  gaveUp?: string;
}

async function withChatModel(
  settings: Settings,
  candidates: StoredChunk[],
  n: number,
  onProgress?: GenerateProgress,
): Promise<ChatOutcome> {
  const provider = createChatModelProvider(settings);
  // Room for a reasoning model's thinking before its one-line question.
  const chat = provider.plain({ temperature: 0.3, maxTokens: 512 });
  const out: ChatOutcome = { lines: [], rejected: { copied: 0, 'too long': 0, 'no question': 0 }, retried: 0 };
  let tried = 0;
  for (const chunk of candidates.slice(0, n * ATTEMPTS_PER_QUESTION)) {
    if (out.lines.length >= n) break;
    if (tried >= GIVE_UP_AFTER && out.lines.length === 0) {
      out.gaveUp = `no usable question from the first ${tried} passages, each asked twice`;
      break;
    }
    tried++;
    const passage = { source: chunk.metadata.source, text: chunk.text };
    let outcome = await askForQuestion(chat, passage, provider);
    if ('rejected' in outcome) {
      out.rejected[outcome.rejected.kind]++;
      log.debug(`generated question rejected (${outcome.rejected.detail}); asking once more, stricter`);
      out.retried++;
      outcome = await askForQuestion(chat, passage, provider, { previous: outcome.reply, rejection: outcome.rejected });
    }
    if ('rejected' in outcome) {
      out.rejected[outcome.rejected.kind]++;
      log.debug(`generated question rejected again (${outcome.rejected.detail})`);
      continue;
    }
    out.lines.push(line(out.lines.length, outcome.question, chunk.text, chunk, 'chat-model'));
    onProgress?.(out.lines.length, n);
  }
  return out;
}

/** Cloze questions on the candidates no question was made from yet, numbered after the `first` lines. */
function withCloze(candidates: StoredChunk[], n: number, first: readonly GeneratedLine[]): GeneratedLine[] {
  const used = new Set(first.map((l) => l.chunkId));
  const lines: GeneratedLine[] = [];
  for (const chunk of candidates) {
    if (lines.length >= n) break;
    if (used.has(chunk.id)) continue;
    const pair = clozePair(chunk.text);
    if (pair) lines.push(line(first.length + lines.length, pair.query, pair.passage, chunk, 'cloze'));
  }
  return lines;
}

function mixOf(lines: readonly GeneratedLine[]): GeneratorMix {
  const mix: GeneratorMix = { 'chat-model': 0, cloze: 0 };
  for (const l of lines) mix[l.generator]++;
  return mix;
}

const mainGenerator = (mix: GeneratorMix): Generator => (mix.cloze > mix['chat-model'] ? 'cloze' : 'chat-model');

function line(i: number, question: string, context: string, chunk: StoredChunk, generator: Generator): GeneratedLine {
  return { id: `gen-${i + 1}`, question, answers: [], context, doc: chunk.metadata.source, chunkId: chunk.id, generator };
}

async function readLines(file: string): Promise<GeneratedLine[]> {
  const text = await readFile(file, 'utf8');
  return questionLines(text, 'generated question').map(({ line: l, n }) => {
    const raw = l as unknown as Partial<GeneratedLine>;
    if (typeof raw.context !== 'string' || typeof raw.chunkId !== 'string')
      throw new CitebotError('invalid_input', `${file}: line ${n} has no "context" or "chunkId"`, {
        fix: 'restore the line, or delete the file to generate the set again',
      });
    return {
      id: raw.id ?? `line-${n}`,
      question: l.question,
      answers: (raw.answers ?? []).map(String),
      context: raw.context,
      doc: raw.doc ?? '',
      chunkId: raw.chunkId,
      generator: raw.generator === 'chat-model' ? 'chat-model' : 'cloze',
    };
  });
}

/** A chunk is text whatever file it came from: indexed as `<file name>.txt` ("Huguenot.docx" → "Huguenot.txt") so the loader reads it as text. */
function passageName(source: string): string {
  return `${source.replace(/\.[^./\\]+$/u, '') || 'passage'}.txt`;
}

/**
 * The set to evaluate: every gold chunk (its text as the line says: without the cloze sentence) and up to
 * MAX_DISTRACTORS other chunks of the scope, each a passage under its real file name.
 */
export function evalSetOf(chunks: readonly StoredChunk[], lines: readonly GeneratedLine[]): EvalSet {
  const gold = new Map(lines.map((l) => [l.chunkId, l.context]));
  const passages = new Map<string, EvalPassage>();
  const add = (chunk: StoredChunk, text: string) => {
    const docId = passageDocId(text);
    passages.set(docId, { docId, source: passageName(chunk.metadata.source), text });
  };
  for (const chunk of chunks) if (gold.has(chunk.id)) add(chunk, gold.get(chunk.id)!);
  let distractors = 0;
  for (const chunk of sampleOrder(chunks)) {
    if (gold.has(chunk.id) || distractors >= MAX_DISTRACTORS) continue;
    add(chunk, chunk.text);
    distractors++;
  }
  const questions: EvalQuestion[] = lines.map((l) => ({
    id: l.id,
    question: l.question,
    answers: l.answers,
    docId: passageDocId(l.context),
  }));
  return { passages: [...passages.values()], questions };
}

export async function generateQuestionSet(
  settings: Settings,
  scope: string,
  chunks: readonly StoredChunk[],
  n: number,
  onProgress?: GenerateProgress,
): Promise<GeneratedSet> {
  if (chunks.length === 0)
    throw new CitebotError('invalid_input', `--generate: the scope ${scope} has no indexed chunks`, {
      fix: `citebot ingest <files> --scope ${scope}, or pick another --scope`,
    });
  const started = performance.now();
  const file = cacheFile(settings, scope, chunks, n);
  if (existsSync(file)) {
    const lines = await readLines(file);
    const mix = mixOf(lines);
    return {
      generator: mainGenerator(mix),
      mix,
      set: evalSetOf(chunks, lines),
      file,
      cached: true,
      rejected: { copied: 0, 'too long': 0, 'no question': 0 },
      retried: 0,
      seconds: (performance.now() - started) / 1000,
    };
  }
  const candidates = sampleOrder(chunks).filter((c) => keywordWords(c.text).length >= MIN_CHUNK_WORDS);
  let chat: ChatOutcome = { lines: [], rejected: { copied: 0, 'too long': 0, 'no question': 0 }, retried: 0 };
  let fallbackReason: string | undefined;
  try {
    chat = await withChatModel(settings, candidates, n, onProgress);
    fallbackReason = chat.gaveUp;
  } catch (error) {
    if (!chatModelMissing(error)) throw error;
    fallbackReason = `the chat model did not answer (${oneLine(error)})`;
  }
  const cloze = chat.lines.length < n ? withCloze(candidates, n - chat.lines.length, chat.lines) : [];
  if (cloze.length) log.debug(`${cloze.length} cloze question(s) top up the chat model's ${chat.lines.length}`);
  const lines = [...chat.lines, ...cloze];
  if (lines.length === 0)
    throw new CitebotError('invalid_input', `--generate: no usable question could be made from the ${chunks.length} chunks of ${scope}`, {
      fix: 'index longer documents, or write a question file and use --qa',
    });
  await mkdir(join(settings.DATA_DIR, 'eval-cache', 'generated'), { recursive: true });
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const mix = mixOf(lines);
  return {
    generator: mainGenerator(mix),
    mix,
    set: evalSetOf(chunks, lines),
    file,
    cached: false,
    rejected: chat.rejected,
    retried: chat.retried,
    ...(fallbackReason && { fallbackReason }),
    seconds: (performance.now() - started) / 1000,
  };
}
