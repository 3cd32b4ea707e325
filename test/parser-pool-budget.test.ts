import { describe, expect, it } from 'vitest';
import { ParserPool } from '../src/ingest/parser-pool.js';
import { DEFAULT_LOADER_LIMITS } from '../src/ingest/types.js';

const MB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);

describe('ParserPool within a memory budget', () => {
  it('replaces a worker after a file that left the process over half the budget, and keeps it otherwise', async () => {
    let rss = 40 * MB;
    const pool = new ParserPool(1, 1024, { budgetMb: 100, rss: () => rss });
    try {
      await pool.parse(text('first note about the harbour'), 'a.txt', DEFAULT_LOADER_LIMITS);
      await pool.parse(text('second note about the harbour'), 'b.txt', DEFAULT_LOADER_LIMITS);
      expect(pool.recycled).toBe(0);
      rss = 60 * MB;
      const parsed = await pool.parse(text('third note about the harbour'), 'c.txt', DEFAULT_LOADER_LIMITS);
      expect(parsed.sections[0]!.text).toContain('third note');
      expect(pool.recycled).toBe(1);
      // The next file is read by a fresh worker.
      expect((await pool.parse(text('fourth note'), 'd.txt', DEFAULT_LOADER_LIMITS)).sections[0]!.text).toContain('fourth');
      expect(pool.recycled).toBe(2);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('starts a second file only while the process is under three quarters of the budget', async () => {
    let rss = 80 * MB;
    const pool = new ParserPool(2, 1024, { budgetMb: 100, rss: () => rss });
    try {
      const order: string[] = [];
      // a is long to read, b and c short: read side by side, b would finish first.
      const sizes = { a: 300_000, b: 1, c: 1 };
      const files = Object.entries(sizes).map(([name, repeat]) =>
        pool.parse(text(`note ${name} `.repeat(repeat)), `${name}.txt`, DEFAULT_LOADER_LIMITS).then(() => order.push(name)),
      );
      await Promise.all(files);
      // One at a time: each file finished before the next started, in order.
      expect(order).toEqual(['a', 'b', 'c']);
      rss = 10 * MB;
      await Promise.all(['d', 'e'].map((name) => pool.parse(text(`note ${name}`), `${name}.txt`, DEFAULT_LOADER_LIMITS)));
    } finally {
      await pool.close();
    }
  }, 120_000);
});
