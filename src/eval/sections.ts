/**
 * Which sections of its document a chunk comes from, for the end-to-end eval's "top citation from the
 * gold section". Formats say where a chunk is in different ways:
 * - a heading path in `section` (Markdown, HTML, DOCX): its last heading is the section;
 * - otherwise (PDF pages, slides, plain text) headings are lines of their own in the text: a chunk is in
 *   the section whose heading came last before it (in chunk order, across pages) and in every section
 *   whose heading it contains.
 * A document with neither has no sections to find: none of its chunks is in any named section.
 */

export interface SectionedChunk {
  text: string;
  chunkIndex: number;
  section?: string;
}

/** Heading text compared without case, accents' width variants or runs of spaces. */
export function sameHeading(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}

/**
 * A heading line: standing alone between blank lines (or the chunk's edges), short, not starting in
 * lower case (a chunk cut mid-sentence ends with such a fragment) and not ending like a sentence.
 */
function headingLines(text: string): { heading: string; at: number }[] {
  const found: { heading: string; at: number }[] = [];
  const blocks = text.split(/\n[ \t]*\n/);
  let offset = 0;
  for (const block of blocks) {
    const line = block.trim();
    if (line && !line.includes('\n') && line.length <= 80 && !/^\p{Ll}/u.test(line) && !/[.!?。！？:;,，；：]$/.test(line))
      found.push({ heading: line, at: offset });
    offset += block.length + 2;
  }
  return found;
}

/** For each chunk of one document (any order in, results in the same order), the headings of the sections it touches. */
export function chunkSections(chunks: readonly SectionedChunk[]): string[][] {
  const order = chunks.map((_, i) => i).sort((a, b) => chunks[a]!.chunkIndex - chunks[b]!.chunkIndex);
  const result: string[][] = chunks.map(() => []);
  let current: string | undefined;
  for (const i of order) {
    const chunk = chunks[i]!;
    if (chunk.section) {
      const path = chunk.section.split(' > ');
      result[i] = [path[path.length - 1]!.trim()];
      continue;
    }
    const headings = headingLines(chunk.text);
    const sections = headings.map((h) => h.heading);
    // Text before the chunk's first heading belongs to the section that was open.
    if (current !== undefined && (headings.length === 0 || headings[0]!.at > 0)) sections.unshift(current);
    if (headings.length) current = headings[headings.length - 1]!.heading;
    result[i] = sections;
  }
  return result;
}
