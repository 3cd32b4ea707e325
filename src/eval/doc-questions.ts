/**
 * Questions for the end-to-end mode (`citebot eval --docs <folder> --qa <questions.jsonl>`): one JSON
 * object a line, `{id?, question, answers[], impossible?, doc, part}`, where `doc` is the file (a path
 * relative to the folder, or its name) and `part` the section that holds the answer: a number N names
 * the section headed "Part N" (the convention of ../shared/eval/squad-en-questions.jsonl), a string is
 * the section's heading itself.
 */
import { lineAnswers, questionLines } from './dataset.js';
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

/** The heading a `part` value names. */
export function sectionLabel(part: number | string): string {
  return typeof part === 'number' ? `Part ${part}` : part.trim();
}

export function parseDocQuestions(text: string): DocQuestion[] {
  const questions: DocQuestion[] = [];
  for (const { line, n } of questionLines(text, 'with --docs, {question, answers[], doc, part}')) {
    if (typeof line.doc !== 'string' || !line.doc.trim()) {
      throw new CitebotError('invalid_input', `--qa: line ${n} has no "doc" (the file that answers it)`, {
        fix: `with --docs, every line names its document and "part"`,
      });
    }
    if ((typeof line.part !== 'number' && typeof line.part !== 'string') || sectionLabel(line.part) === '') {
      throw new CitebotError(
        'invalid_input',
        `--qa: line ${n} has no "part" (the section that answers it, a number N for "Part N" or a heading).`,
      );
    }
    questions.push({
      id: line.id ?? `line-${n}`,
      question: line.question,
      answers: lineAnswers(line),
      doc: line.doc.trim(),
      section: sectionLabel(line.part),
    });
  }
  if (questions.length === 0)
    throw new CitebotError('invalid_input', '--qa: no questions found', { fix: 'JSONL lines {question, answers[], doc, part}' });
  return questions;
}
