/**
 * Turns the positioned text runs of one PDF page into paragraphs of running text.
 * PDFs store glyph runs, not lines or paragraphs: lines come from pdfjs' end-of-line flags and
 * baseline jumps, paragraphs from vertical gaps and font-size changes, and line breaks inside a
 * paragraph are undone the way a reader would (hyphenation, Chinese text, plain wrapping).
 */

/** One text run as pdfjs reports it, reduced to what layout needs. */
export interface PositionedRun {
  text: string;
  /** pdfjs sets this on the last run of a line. */
  endsLine: boolean;
  x: number;
  /** Baseline, growing upwards (PDF user space). */
  y: number;
  width: number;
  /** Font size; 0 for the synthetic space runs pdfjs inserts. */
  height: number;
}

export interface TextLine {
  text: string;
  y: number;
  height: number;
}

/** Groups runs into lines, adding a space where a visible gap separates two runs. */
export function buildLines(runs: PositionedRun[]): TextLine[] {
  const lines: TextLine[] = [];
  let current: (TextLine & { endX: number; visible: boolean }) | undefined;
  const close = (): void => {
    if (current?.visible) lines.push({ text: current.text, y: current.y, height: current.height });
    current = undefined;
  };

  for (const run of runs) {
    const visible = run.text.trim() !== '';
    // A run on another baseline starts a new line even when pdfjs did not flag the previous one.
    // (Superscripts sit about a third of the font size higher and stay on their line.)
    if (current?.visible && visible && Math.abs(run.y - current.y) > Math.max(current.height, run.height) * 0.6) close();
    if (run.text !== '') {
      if (!current) {
        current = { text: '', y: run.y, height: 0, endX: run.x, visible: false };
      } else if (visible && current.visible) {
        const gap = run.x - current.endX;
        const needsSpace = gap > run.height * 0.2 && !/\s$/.test(current.text) && !/^\s/.test(run.text);
        if (needsSpace) current.text += ' ';
      }
      current.text += run.text;
      current.endX = run.x + run.width;
      if (visible) {
        if (!current.visible) current.y = run.y; // the line's baseline is that of its first visible run
        current.visible = true;
        current.height = Math.max(current.height, run.height);
      }
    }
    if (run.endsLine) close();
  }
  close();
  return lines;
}

/** Splits lines into paragraphs: a gap clearly larger than the usual line spacing, or a change of font size. */
export function groupParagraphs(lines: TextLine[]): TextLine[][] {
  const spacing = typicalLineSpacing(lines);
  const paragraphs: TextLine[][] = [];
  let current: TextLine[] = [];
  lines.forEach((line, index) => {
    const previous = lines[index - 1];
    if (previous && startsParagraph(previous, line, spacing)) {
      paragraphs.push(current);
      current = [];
    }
    current.push(line);
  });
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

function startsParagraph(previous: TextLine, line: TextLine, spacing: number | undefined): boolean {
  const gap = previous.y - line.y;
  if (gap <= 0) return true; // moved up the page: a new column or a block placed out of order
  const sizeChanged = Math.abs(previous.height - line.height) > Math.max(previous.height, line.height) * 0.2;
  if (sizeChanged) return true;
  const usual = spacing ?? Math.max(previous.height, line.height) * 1.2;
  return gap > usual * 1.4;
}

/** The median distance between consecutive baselines that look like ordinary wrapped lines. */
function typicalLineSpacing(lines: TextLine[]): number | undefined {
  const gaps: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const gap = lines[i - 1]!.y - lines[i]!.y;
    const size = Math.max(lines[i - 1]!.height, lines[i]!.height);
    if (gap > 0 && gap < size * 3) gaps.push(gap);
  }
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

// Scripts written without spaces between words: a line break between two of these characters is no word break.
// Hangul is left out on purpose: Korean separates words with spaces.
const UNSPACED_SCRIPT_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef\u00b7\u2014\u2026\u30fb]/u;
const HYPHENS = '-\u00ad\u2010';

/** Joins the lines of one paragraph into running text. */
export function joinLines(lines: string[]): string {
  let text = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (!text) {
      text = line;
      continue;
    }
    const last = text.slice(-1);
    const beforeLast = text.slice(-2, -1);
    const first = line.charAt(0);
    if (HYPHENS.includes(last) && /\p{L}/u.test(beforeLast) && /\p{Ll}/u.test(first)) {
      text = text.slice(0, -1) + line; // "exam-" + "ple": a word split by hyphenation
    } else if (HYPHENS.includes(last) && /[\p{L}\p{N}]/u.test(beforeLast) && /[\p{Lu}\p{N}]/u.test(first)) {
      text += line; // "1990-" + "1995", "Jean-" + "Paul": a real hyphen that happened to fall at the line end
    } else if (UNSPACED_SCRIPT_CHAR.test(last) && UNSPACED_SCRIPT_CHAR.test(first)) {
      text += line;
    } else {
      text += ` ${line}`;
    }
  }
  return text;
}

/** Page text: paragraphs separated by a blank line. */
export function layoutPageText(runs: PositionedRun[]): string {
  return groupParagraphs(buildLines(runs))
    .map((paragraph) => joinLines(paragraph.map((line) => line.text)))
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}
