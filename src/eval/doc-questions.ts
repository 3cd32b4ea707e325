/**
 * Questions for the end-to-end mode (`citebot eval --docs <folder> --qa <questions.jsonl>`): one JSON
 * object a line, `{id?, question, answers[], impossible?, doc, part}`, where `doc` is the file (a path
 * relative to the folder, or its name) and `part` the section that holds the answer: a number N names
 * the section headed "Part N" (the convention of ../shared/eval/squad-en-questions.jsonl), a string is
 * the section's heading itself.
 */
import { CitebotError } from '../errors.js';

export interface DocQuestion {
  id: string;
  question: string;
  /** Gold answers; empty for a question the documents cannot answer. */
  answers: string[];
  /** The gold document, as named in the line. */
  doc: string;
  /** The gold section's heading, e.g. "Part 3". */
  section: string;
}

interface DocLine {
  id?: string;
  question?: string;
  answers?: (string | { text: string })[];
  impossible?: boolean;
  is_impossible?: boolean;
  doc?: string;
  part?: number | string;
}

/** The heading a `part` value names. */
export function sectionLabel(part: number | string): string {
  return typeof part === 'number' ? `Part ${part}` : part.trim();
}

export function parseDocQuestions(text: string): DocQuestion[] {
  const questions: DocQuestion[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    if (!raw.trim()) continue;
    let line: DocLine;
    try {
      line = JSON.parse(raw) as DocLine;
    } catch {
      throw new CitebotError('invalid_input', `--qa: line ${i + 1} is not JSON. Fix: with --docs, one {question, answers[], doc, part} object per line.`);
    }
    if (typeof line.question !== 'string' || !line.question.trim()) throw new CitebotError('invalid_input', `--qa: line ${i + 1} has no "question".`);
    if (typeof line.doc !== 'string' || !line.doc.trim()) {
      throw new CitebotError('invalid_input', `--qa: line ${i + 1} has no "doc" (the file that answers it). Fix: with --docs, every line names its document and "part".`);
    }
    if ((typeof line.part !== 'number' && typeof line.part !== 'string') || sectionLabel(line.part) === '') {
      throw new CitebotError('invalid_input', `--qa: line ${i + 1} has no "part" (the section that answers it, a number N for "Part N" or a heading).`);
    }
    const impossible = line.impossible ?? line.is_impossible ?? false;
    const answers = impossible ? [] : [...new Set((line.answers ?? []).map((a) => (typeof a === 'string' ? a : a.text).trim()).filter(Boolean))];
    questions.push({ id: line.id ?? `line-${i + 1}`, question: line.question, answers, doc: line.doc.trim(), section: sectionLabel(line.part) });
  }
  if (questions.length === 0) throw new CitebotError('invalid_input', '--qa: no questions found. Fix: JSONL lines {question, answers[], doc, part}.');
  return questions;
}
