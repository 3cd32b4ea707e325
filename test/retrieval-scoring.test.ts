import Database from 'better-sqlite3';
import { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { describe, expect, it } from 'vitest';
import { HybridRetriever, sideScores, type FusionMethod } from '../src/chains/retrievers/hybrid.js';
import { hitChartSvg } from '../src/eval/hit-chart.js';
import { chartPath, markdownTable } from '../src/eval/report.js';
import { adjacentPairs, bm25Idf, indexedForm, proximityBonus, termStream } from '../src/store/term-proximity.js';
import { porterStem } from '../src/text/porter-stemmer.js';

describe('Porter stemmer', () => {
  it("stems as SQLite FTS5's porter tokenizer does", () => {
    const words = (
      'caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned ' +
      'falling hissing fizzed failing filing happy sky relational conditional rational digitizer radically differently ' +
      'vietnamization predication operator feudalism decisiveness hopefulness callousness formality sensitivity ' +
      'triplicate formative formalize electricity electrical hopeful goodness revival allowance inference airliner ' +
      'gyroscopic adjustable defensible irritant replacement adjustment dependent adoption communism activate ' +
      'homologous effective bowdlerize probate rate cease controlling generalizations normans countries 1990s centuries ' +
      'located originate religion founded invaded running ran runs easily fairly by at'
    ).split(' ');
    const db = new Database(':memory:');
    db.exec(
      `CREATE VIRTUAL TABLE t USING fts5(w, tokenize = 'porter unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');`,
    );
    const insert = db.prepare('INSERT INTO t (rowid, w) VALUES (?, ?)');
    words.forEach((w, i) => insert.run(i + 1, w));
    const fts5 = new Map(
      (db.prepare('SELECT doc, term FROM v').all() as { doc: number; term: string }[]).map((r) => [words[r.doc - 1]!, r.term]),
    );
    expect(Object.fromEntries(words.map((w) => [w, porterStem(w)]))).toEqual(Object.fromEntries(words.map((w) => [w, fts5.get(w)])));
    expect(porterStem('generalizations')).toBe('gener');
    expect(indexedForm('Café'.toLowerCase())).toBe('cafe');
  });
});

describe('term proximity', () => {
  it('adds the rarer IDF of each query pair that is also adjacent in the chunk', () => {
    const idf: Record<string, number> = { king: 1, charl: 2, iii: 3, west: 0.5, francia: 4 };
    const query = termStream('Who swore fealty to King Charles III of West Francia?');
    expect(query).toEqual(['swore', 'fealti', 'king', 'charl', 'iii', 'west', 'francia']);
    const chunk = adjacentPairs(termStream('They agreed to swear fealty to King Charles III, of West Francia.'));
    // "king charl" → min(1, 2) = 1; "charl iii" → 2; "iii west" → 0.5 ("of" is a stopword); "west francia" → 0.5.
    expect(proximityBonus(adjacentPairs(query), chunk, (t) => idf[t] ?? 0)).toBe(4);
    expect(
      proximityBonus(adjacentPairs(query), adjacentPairs(termStream('Charles was king. West of it lies Francia.')), (t) => idf[t] ?? 0),
    ).toBe(0);
    // Chinese: adjacency is judged on the dictionary words, not on the bigrams indexed alongside long ones.
    expect(termStream('中华人民共和国国务院总理')).toEqual(['中华', '人民', '共和国', '国务院', '总理']);
    const cjk = adjacentPairs(termStream('他是中华人民共和国国务院总理。'));
    expect(proximityBonus(adjacentPairs(termStream('谁是国务院总理？')), cjk, () => 1)).toBe(1);
    expect(bm25Idf(100, 1)).toBeCloseTo(Math.log(99.5 / 1.5), 12);
    expect(bm25Idf(100, 90)).toBe(1e-6);
  });
});

class FixedRetriever extends BaseRetriever {
  lc_namespace = ['test'];
  constructor(
    private readonly docs: [string, number][],
    private readonly scoreKey: string,
  ) {
    super();
  }
  override async _getRelevantDocuments(): Promise<Document[]> {
    return this.docs.map(([id, score]) => new Document({ id, pageContent: id, metadata: { [this.scoreKey]: score } }));
  }
}

describe('hybrid fusion', () => {
  const dense = () =>
    new FixedRetriever(
      [
        ['a', 0.9],
        ['b', 0.6],
      ],
      'denseScore',
    );
  const keyword = () =>
    new FixedRetriever(
      [
        ['b', 10],
        ['c', 5],
      ],
      'keywordScore',
    );

  it('score fusion: weighted sum of each side divided by its best score', async () => {
    const docs = await new HybridRetriever({
      dense: dense(),
      keyword: keyword(),
      fusion: 'score',
      denseWeight: 0.2,
      keywordWeight: 0.8,
    }).invoke('q');
    // b: 0.2 × 0.6/0.9 + 0.8 × 10/10; c: 0.8 × 5/10; a: 0.2 × 0.9/0.9.
    expect(docs.map((d) => [d.id, Number((d.metadata.fusedScore as number).toFixed(4))])).toEqual([
      ['b', 0.9333],
      ['c', 0.4],
      ['a', 0.2],
    ]);
  });

  it('rrf: ranks only', async () => {
    const docs = await new HybridRetriever({
      dense: dense(),
      keyword: keyword(),
      fusion: 'rrf',
      denseWeight: 0.5,
      keywordWeight: 0.5,
    }).invoke('q');
    expect(docs.map((d) => d.id)).toEqual(['b', 'a', 'c']);
    expect(docs[1]!.metadata.fusedScore).toBeCloseTo(0.5 / 61, 12);
  });
});

describe('adaptive fusion', () => {
  /** Scores for ids "<prefix>1".. falling from `top` by `step`. */
  const list = (prefix: string, top: number, step: number, n: number): [string, number][] =>
    Array.from({ length: n }, (_, i) => [`${prefix}${i + 1}`, top - i * step]);
  const top = async (fusion: FusionMethod, dense: [string, number][], keyword: [string, number][], denseWeight: number) =>
    (
      await new HybridRetriever({
        dense: new FixedRetriever(dense, 'denseScore'),
        keyword: new FixedRetriever(keyword, 'keywordScore'),
        fusion,
        denseWeight,
        keywordWeight: 1 - denseWeight,
        denseDepth: dense.length,
        keywordDepth: keyword.length,
      }).invoke('q')
    )[0]!.id;

  it('keeps the keyword side’s top hit when the dense side is flat (all candidates alike: noise)', async () => {
    // An embedding model that does not know the language: 30 cosines within 0.01 of each other, the gold not among them.
    const dense: [string, number][] = [['k2', 0.31], ...list('n', 0.309, 0.0003, 29)];
    const keyword: [string, number][] = [['gold', 20], ['k2', 9], ...list('k', 8, 0.2, 28)];
    expect(await top('adaptive', dense, keyword, 0.5)).toBe('gold');
    // Dividing by the best alone gives the flat side its full weight: its top outvotes a clear keyword match.
    expect(await top('score', dense, keyword, 0.5)).toBe('k2');
  });

  it('keeps the dense side’s top hit when the keyword side is flat (the question’s words are everywhere)', async () => {
    const dense: [string, number][] = [['gold', 0.82], ['d2', 0.41], ...list('d', 0.4, 0.005, 28)];
    const keyword: [string, number][] = list('k', 10, 0.02, 30);
    expect(await top('adaptive', dense, keyword, 0.2)).toBe('gold');
    expect(await top('score', dense, keyword, 0.2)).toBe('k1');
  });

  it('measures a side from its floor, or from 0 when the side returned every match it has', () => {
    // Full list (asked for 3, got 3): the lowest is the floor; spread (10 − 4) / 10.
    expect(sideScores([10, 7, 4], 'adaptive', 3).map((x) => +x.toFixed(4))).toEqual([0.6, 0.3, 0]);
    // Asked for 30, got 3: everything else scores 0 here, so the floor is 0 and adaptive = score.
    expect(sideScores([10, 7, 4], 'adaptive', 30)).toEqual(sideScores([10, 7, 4], 'score'));
    // Nothing positive: no say. A negative floor (cosines): plain min-max.
    expect(sideScores([0, 0], 'adaptive', 2)).toEqual([0, 0]);
    expect(sideScores([0.5, 0, -0.5], 'adaptive', 3)).toEqual([1, 0.5, 0]);
  });
});

describe('eval report', () => {
  it('draws one bar per configuration and measure, to scale, with names escaped', () => {
    const svg = hitChartSvg({
      title: 'hit@k <test>',
      series: ['hit@1', 'hit@5'],
      rows: [
        { name: 'm/hybrid+http', values: [0.5, 1] },
        { name: 'a&b', values: [0.25, 1.7] },
      ],
    });
    expect([...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="14"/g)].map((m) => Number(m[1]))).toEqual([210, 420, 105, 420]);
    expect(svg).toContain('hit@k &lt;test&gt;');
    expect(svg).toContain('>a&amp;b</text>');
    expect(svg).not.toContain('a&b');
  });

  it('writes Markdown tables, and puts the chart next to the report', () => {
    expect(markdownTable({ head: ['configuration', 'hit@1'], rows: [['x|y', '0.500']] })).toBe(
      '| configuration | hit@1 |\n|---|---|\n| x\\|y | 0.500 |',
    );
    expect(chartPath('/tmp/out/report.md')).toBe('/tmp/out/report.svg');
    expect(chartPath('results')).toBe('results.svg');
  });
});
