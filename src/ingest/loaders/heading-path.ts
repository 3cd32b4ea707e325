import type { Location } from '../types.js';

/** The chain of headings above the current point of a document, e.g. "Design > Storage > Limits". */
export class HeadingPath {
  private readonly stack: { level: number; title: string }[] = [];

  /** A heading of `level` (1 = top) closes every open heading at the same or a deeper level. */
  enter(level: number, title: string): void {
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level >= level) this.stack.pop();
    const clean = title.replace(/\s+/g, ' ').trim();
    if (clean) this.stack.push({ level, title: clean });
  }

  toString(): string {
    return this.stack.map((heading) => heading.title).join(' > ');
  }

  /** A location carrying the path, or none when no heading is open. */
  location(): Location {
    const section = this.toString();
    return section ? { section } : {};
  }
}
