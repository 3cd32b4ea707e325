/**
 * Question sets for `citebot eval`: SQuAD JSON (SQuAD 2.0, CMRC 2018) or JSONL, read into one shape.
 */
import { createHash } from 'node:crypto';
import { CitebotError } from '../errors.js';
import { log } from '../log.js';

/** A passage to index: one SQuAD paragraph, or one distinct JSONL `context`. */
export interface EvalPassage {
  /** A hash of the text: the same paragraph twice is one document. */
  docId: string;
  /** File name it is indexed under (titles give the embedding model the subject, as file names do). */
  source: string;
  text: string;
}

export interface EvalQuestion {
  id: string;
  question: string;
  /** Gold answer strings; empty for a question the passages cannot answer (SQuAD 2 impossible). */
  answers: string[];
  /** The passage the question was written on, if known. */
  docId?: string;
}

export interface EvalSet {
  passages: EvalPassage[];
  questions: EvalQuestion[];
}

export function passageDocId(text: string): string {
  return 'eval-' + createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** File-name-safe title: the indexer shows it as the source. */
function fileStem(title: string): string {
  return (
    title
      .replace(/[\\/:*?"<>|\s]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 80) || 'passage'
  );
}

/** Deduplicates passages by text and numbers each title's paragraphs from 1. */
class PassageCollector {
  private readonly byDocId = new Map<string, EvalPassage>();
  private readonly perTitle = new Map<string, number>();

  add(title: string, text: string): string {
    const docId = passageDocId(text);
    if (!this.byDocId.has(docId)) {
      const stem = fileStem(title);
      const n = (this.perTitle.get(stem) ?? 0) + 1;
      this.perTitle.set(stem, n);
      this.byDocId.set(docId, { docId, source: `${stem}-${n}.txt`, text });
    }
    return docId;
  }

  get passages(): EvalPassage[] {
    return [...this.byDocId.values()];
  }
}

interface SquadFile {
  data: {
    title?: string;
    paragraphs: { context: string; qas: { id?: string; question: string; answers?: { text: string }[]; is_impossible?: boolean }[] }[];
  }[];
}

function isSquad(value: unknown): value is SquadFile {
  return typeof value === 'object' && value !== null && Array.isArray((value as SquadFile).data);
}

const distinct = (texts: string[]) => [...new Set(texts.map((t) => t.trim()).filter(Boolean))];

function fromSquad(file: SquadFile): EvalSet {
  const passages = new PassageCollector();
  const questions: EvalQuestion[] = [];
  for (const [a, article] of file.data.entries()) {
    for (const paragraph of article.paragraphs ?? []) {
      if (typeof paragraph.context !== 'string' || !paragraph.context.trim()) continue;
      const docId = passages.add(article.title ?? `article-${a + 1}`, paragraph.context);
      for (const qa of paragraph.qas ?? []) {
        // SQuAD 2 lists plausible answers for impossible questions separately; `answers` is then empty.
        const answers = qa.is_impossible ? [] : distinct((qa.answers ?? []).map((x) => x.text));
        questions.push({ id: qa.id ?? `q${questions.length + 1}`, question: qa.question, answers, docId });
      }
    }
  }
  return { passages: passages.passages, questions };
}

/** One line of a JSONL question file, as either mode reads it. */
export interface QuestionLine {
  id?: string;
  question: string;
  answers?: (string | { text: string })[];
  impossible?: boolean;
  is_impossible?: boolean;
  doc?: string;
  part?: number | string;
  context?: string;
  /** The passage's title (SQuAD-style JSONL): the passage is indexed under it, as SQuAD JSON passages are. */
  title?: string;
}

/** The lines of a JSONL question file with their 1-based numbers; each is JSON with a question. */
export function questionLines(text: string, shape: string): { line: QuestionLine; n: number }[] {
  const lines: { line: QuestionLine; n: number }[] = [];
  const blank: number[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    if (!raw.trim()) continue;
    let line: Partial<QuestionLine>;
    try {
      line = JSON.parse(raw) as Partial<QuestionLine>;
    } catch {
      throw new CitebotError('invalid_input', `--qa: line ${i + 1} is not JSON`, { fix: `one ${shape} object per line` });
    }
    if (typeof line.question !== 'string') throw new CitebotError('invalid_input', `--qa: line ${i + 1} has no "question".`);
    // Public sets have the odd blank question (cmrc-zh line 748): nothing to ask, so it is skipped, and said.
    if (!line.question.trim()) blank.push(i + 1);
    else lines.push({ line: line as QuestionLine, n: i + 1 });
  }
  if (blank.length) log.warn(`--qa: skipped ${blank.length} line(s) with an empty "question": line ${blank.slice(0, 10).join(', ')}`);
  return lines;
}

/** A line's gold answers: none for an unanswerable question, distinct and trimmed otherwise. */
export function lineAnswers(line: QuestionLine): string[] {
  if (line.impossible ?? line.is_impossible ?? false) return [];
  return distinct((line.answers ?? []).map((a) => (typeof a === 'string' ? a : a.text)));
}

function fromJsonl(text: string): EvalSet {
  const passages = new PassageCollector();
  const questions: EvalQuestion[] = [];
  for (const { line, n } of questionLines(text, '{question, answers[], context} (or a SQuAD JSON file)')) {
    if (typeof line.context !== 'string' || !line.context.trim()) {
      // Without the passage there is nothing to index; documents named by `doc` are the end-to-end mode's.
      const fix = line.doc
        ? `pass --docs <folder> with the documents it names (end to end), or add the passage`
        : 'add it, or use a SQuAD JSON file';
      throw new CitebotError('invalid_input', `--qa: line ${n} has no "context" (the passage to search)`, { fix: `${fix}` });
    }
    // Named as its source would be (the name goes into what the embedding model sees): title, document, else "passage".
    const title =
      line.title?.trim() ||
      (line.doc ? line.doc.replace(/\.[^.]+$/, '') + (line.part !== undefined ? `-part${line.part}` : '') : 'passage');
    const docId = passages.add(title, line.context);
    questions.push({ id: line.id ?? `line-${n}`, question: line.question, answers: lineAnswers(line), docId });
  }
  return { passages: passages.passages, questions };
}

/** Reads either format: a JSON object with `data` is SQuAD, anything else is JSONL. */
export function parseEvalSet(text: string): EvalSet {
  const trimmed = text.trim();
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    // Not one JSON document: JSONL.
  }
  if (isSquad(whole)) return fromSquad(whole);
  const set = fromJsonl(trimmed);
  if (set.questions.length === 0)
    throw new CitebotError('invalid_input', '--qa: no questions found', {
      fix: 'a SQuAD JSON file or JSONL with {question, answers[], context}',
    });
  return set;
}

/** The questions to ask: in file order, optionally only answerable ones, at most `limit`. */
export function selectQuestions<Q extends { answers: string[] }>(
  questions: Q[],
  options: { limit?: number; answerableOnly?: boolean },
): Q[] {
  const pool = options.answerableOnly ? questions.filter((q) => q.answers.length > 0) : questions;
  return options.limit !== undefined ? pool.slice(0, options.limit) : pool;
}
