import { describe, expect, it } from 'vitest';
import { type CitableSource, formatLocation, verifyCitations } from '../src/chains/citations.js';

/** Sources as the prompt numbered them: [1] … [count]. */
function numberedSources(count: number): CitableSource[] {
  return Array.from({ length: count }, (_, i) => ({
    n: i + 1,
    chunkId: `chunk-${i + 1}`,
    docId: `doc-${i + 1}`,
    source: `file-${i + 1}.pdf`,
    url: `https://example.com/file-${i + 1}`,
    location: `p. ${i + 1}`,
    score: 1 - i / 10,
    snippet: `snippet ${i + 1}`,
  }));
}

const six = numberedSources(6);

/** "chunk-3=1" for each source: which prompt source got which new number. */
function numbering(sources: CitableSource[]): string[] {
  return sources.map((source) => `${source.chunkId}=${source.n}`);
}

describe('formatLocation', () => {
  it('names the page, slide, sheet or section path', () => {
    expect(formatLocation({ page: 3 })).toBe('p. 3');
    expect(formatLocation({ slide: 4 })).toBe('slide 4');
    expect(formatLocation({ sheet: 'Budget' })).toBe('sheet Budget');
    expect(formatLocation({ section: 'Design > Limits' })).toBe('Design > Limits');
  });

  it('prefers page, then slide, then sheet, then section', () => {
    expect(formatLocation({ page: 3, section: 'Design > Limits' })).toBe('p. 3');
    expect(formatLocation({ slide: 2, sheet: 'x', section: 'y' })).toBe('slide 2');
    expect(formatLocation({ sheet: 'Budget', section: 'y' })).toBe('sheet Budget');
  });

  it('is empty when nothing usable is known', () => {
    expect(formatLocation({})).toBe('');
    expect(formatLocation({ page: 0, slide: -1, sheet: '  ', section: '' })).toBe('');
    expect(formatLocation({ page: null })).toBe('');
  });

  it('accepts numbers stored as strings and whole chunk metadata', () => {
    expect(formatLocation({ page: '12' })).toBe('p. 12');
    const metadata = {
      scope: 'local:default',
      docId: 'd',
      source: 'a.pptx',
      url: '/a.pptx',
      chunkIndex: 0,
      contentHash: 'h',
      mimeType: 'x',
      ingestedAt: 't',
      slide: 7,
    };
    expect(formatLocation(metadata)).toBe('slide 7');
  });
});

describe('verifyCitations: markers that match no source', () => {
  it('drops [0] and [7] when there are six sources, leaving no stray space', () => {
    const result = verifyCitations('Paris is the capital [0]. It is large [7], and old.', six);
    expect(result.text).toBe('Paris is the capital. It is large, and old.');
    expect(result.dropped).toEqual([0, 7]);
    expect(result.cited).toEqual([]);
  });

  it('keeps the valid half of [2][99]', () => {
    const result = verifyCitations('The cap is 500 dollars [2][99].', six);
    expect(result.text).toBe('The cap is 500 dollars [1].');
    expect(result.dropped).toEqual([99]);
    expect(numbering(result.cited)).toEqual(['chunk-2=1']);
  });

  it('removes a marker between words and at the start of a line without doubling spaces', () => {
    const result = verifyCitations('one [9] two\n[8] three\n  [99] indented\nend [9]', six);
    expect(result.text).toBe('one two\nthree\n  indented\nend');
    expect(result.dropped).toEqual([9, 8, 99]);
  });

  it('removes a parenthesised invalid marker with its parentheses', () => {
    expect(verifyCitations('It is large ([9]).', six).text).toBe('It is large.');
  });

  it('removes an invalid marker right after Chinese text', () => {
    expect(verifyCitations('长江很长【9】。', six).text).toBe('长江很长。');
  });

  it('reports each dropped number once, in order of appearance', () => {
    expect(verifyCitations('a [9] b [0] c [9, 1]', six).dropped).toEqual([9, 0]);
  });
});

describe('verifyCitations: forms and renumbering', () => {
  it('expands [1, 3] and writes it as [1][2]', () => {
    const result = verifyCitations('Both say so [1, 3].', six);
    expect(result.text).toBe('Both say so [1][2].');
    expect(numbering(result.cited)).toEqual(['chunk-1=1', 'chunk-3=2']);
  });

  it('reads compact lists and other separators: [1,3,5], 【1，2】, [1、2]', () => {
    expect(verifyCitations('x [1,3,5]', six).text).toBe('x [1][2][3]');
    expect(verifyCitations('文件【1，2】', six).text).toBe('文件[1][2]');
    expect(verifyCitations('文件[1、2]', six).text).toBe('文件[1][2]');
  });

  it('expands a range [3-5] to three sources', () => {
    const result = verifyCitations('See [3-5].', six);
    expect(result.text).toBe('See [1][2][3].');
    expect(numbering(result.cited)).toEqual(['chunk-3=1', 'chunk-4=2', 'chunk-5=3']);
  });

  it('drops the part of a range beyond the sources and caps a range at 20 numbers', () => {
    const partly = verifyCitations('See [5-8].', six);
    expect(partly.text).toBe('See [1][2].');
    expect(partly.dropped).toEqual([7, 8]);
    const huge = verifyCitations('See [1-1000].', six);
    expect(huge.text).toBe('See [1][2][3][4][5][6].');
    expect(huge.dropped).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('renumbers sources in order of first use', () => {
    const result = verifyCitations('First [4]. Then [2]. Again [4]. Last [6].', six);
    expect(result.text).toBe('First [1]. Then [2]. Again [1]. Last [3].');
    expect(numbering(result.cited)).toEqual(['chunk-4=1', 'chunk-2=2', 'chunk-6=3']);
  });

  it('numbers a group in its written order, then prints it ascending', () => {
    const result = verifyCitations('A [5, 2]. B [2][6][5].', six);
    expect(numbering(result.cited)).toEqual(['chunk-5=1', 'chunk-2=2', 'chunk-6=3']);
    expect(result.text).toBe('A [1][2]. B [1][2][3].');
  });

  it('cites a source once per group: [3, 3], [3][3], [2] [2]', () => {
    expect(verifyCitations('a [3, 3] b [3][3] c [2] [2].', six).text).toBe('a [1] b [1] c [2].');
  });

  it('reads full-width ［n］ and 【n】 and full-width digits', () => {
    const result = verifyCitations('根据文件【2】，长江很长［1］。另见【２】。', six);
    expect(result.text).toBe('根据文件[1]，长江很长[2]。另见[1]。');
    expect(numbering(result.cited)).toEqual(['chunk-2=1', 'chunk-1=2']);
  });

  it('reads markers directly after CJK characters and before CJK punctuation', () => {
    const result = verifyCitations('根据文件[3]，员工必须在三十天内提交发票[1][3]。', six);
    expect(result.text).toBe('根据文件[1]，员工必须在三十天内提交发票[1][2]。');
  });

  it('does not take mismatched brackets for a marker', () => {
    expect(verifyCitations('x [1】 y', six).text).toBe('x [1】 y');
  });
});

describe('verifyCitations: what is not a marker', () => {
  it('leaves bracketed numbers in inline code and code blocks alone', () => {
    const text = 'Use `arr[0]` or `arr[7]` [2].\n```js\nconst x = list[9];\n```\nDone [1].';
    const result = verifyCitations(text, six);
    expect(result.text).toBe('Use `arr[0]` or `arr[7]` [1].\n```js\nconst x = list[9];\n```\nDone [2].');
    expect(result.dropped).toEqual([]);
  });

  it('takes a markdown link whose text is a number for a citation, removing the link', () => {
    const result = verifyCitations('See [1](https://example.com/x) and [2].', six);
    expect(result.text).toBe('See [1] and [2].');
    expect(numbering(result.cited)).toEqual(['chunk-1=1', 'chunk-2=2']);
  });

  it('leaves other markdown links to sanitize, even when their target looks like a marker', () => {
    const text = 'See [the handbook](https://example.com/x) and [docs](1) [2].';
    expect(verifyCitations(text, six).text).toBe('See [the handbook](https://example.com/x) and [docs](1) [1].');
  });

  it('leaves text without markers unchanged', () => {
    const text = 'No citations here, [just words] and [a, b].';
    expect(verifyCitations(text, six).text).toBe(text);
  });
});

describe('verifyCitations: cited and uncited sources', () => {
  it('numbers uncited sources after the cited ones, in their given order', () => {
    const result = verifyCitations('A [5]. B [2].', six);
    expect(numbering(result.cited)).toEqual(['chunk-5=1', 'chunk-2=2']);
    expect(numbering(result.uncited)).toEqual(['chunk-1=3', 'chunk-3=4', 'chunk-4=5', 'chunk-6=6']);
  });

  it('keeps every other field of a source and does not modify the input', () => {
    const sources = numberedSources(3);
    const copy = structuredClone(sources);
    const result = verifyCitations('x [3]', sources);
    expect(result.cited).toEqual([{ ...sources[2], n: 1 }]);
    expect(sources).toEqual(copy);
  });

  it('matches markers by the prompt number, not the array position', () => {
    const sources = numberedSources(3).map((source) => ({ ...source, n: source.n + 10 }));
    const result = verifyCitations('x [11] y [2]', sources);
    expect(result.text).toBe('x [1] y');
    expect(result.dropped).toEqual([2]);
  });

  it('with no sources, removes every marker', () => {
    const result = verifyCitations('Nothing [1] supports this [2].', []);
    expect(result).toEqual({ text: 'Nothing supports this.', cited: [], uncited: [], dropped: [1, 2], droppedMarkers: 2 });
  });

  it('leaves every [n] in the text matching a cited source', () => {
    const result = verifyCitations('a [6] b [0][3-4] c 【９】 d [2, 2, 6]. `[5]`', six);
    const markers = [...result.text.replace(/`[^`]*`/g, '').matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
    expect(new Set(markers)).toEqual(new Set(result.cited.map((source) => source.n)));
    expect(result.text).toBe('a [1] b [2][3] c d [1][4]. `[5]`');
  });
});

describe('verifyCitations: the forms real models write', () => {
  const forms: [written: string, expected: string][] = [
    ['Due in 30 days [Source 2].', 'Due in 30 days [1].'],
    ['Due in 30 days (Source 2).', 'Due in 30 days [1].'],
    ['Due in 30 days (source: 2).', 'Due in 30 days [1].'],
    ['Due in 30 days [citation:2].', 'Due in 30 days [1].'],
    ['Due in 30 days [Document 2].', 'Due in 30 days [1].'],
    ['Due in 30 days [doc2].', 'Due in 30 days [1].'],
    ['Due in 30 days [ID:2].', 'Due in 30 days [1].'],
    ['Due in 30 days [source id="2"].', 'Due in 30 days [1].'],
    ['Due in 30 days 【2†source】.', 'Due in 30 days [1].'],
    ['Due in 30 days 【2:0†source】.', 'Due in 30 days [1].'],
    ['Due in 30 days 【2】.', 'Due in 30 days [1].'],
    ['Due in 30 days[^2].', 'Due in 30 days[1].'],
    ['Due in 30 days [[2]].', 'Due in 30 days [1].'],
    ['Due in 30 days [2](https://example.com/file-2).', 'Due in 30 days [1].'],
    ['Due in 30 days [2](<https://x.example/a> "title").', 'Due in 30 days [1].'],
    ['Due in 30 days [2, p. 3].', 'Due in 30 days [1].'],
    ['Due in 30 days [Source 2, page 3].', 'Due in 30 days [1].'],
    ['Due in 30 days [2: pp. 3-4].', 'Due in 30 days [1].'],
    ['三十天内提交【2，第3页】。', '三十天内提交[1]。'],
    ['Due in 30 days [2 4].', 'Due in 30 days [1][2].'],
    ['Due in 30 days [2, 4].', 'Due in 30 days [1][2].'],
    ['Due in 30 days [2-4].', 'Due in 30 days [1][2][3].'],
    ['Due in 30 days [Sources 2 and 4].', 'Due in 30 days [1][2].'],
    ['Due in 30 days [Source 2, Source 4].', 'Due in 30 days [1][2].'],
    ['Due in 30 days [Source 2][Source 4].', 'Due in 30 days [1][2].'],
    ['三十天内提交[来源2]。', '三十天内提交[1]。'],
    ['三十天内提交（来源：2）。', '三十天内提交[1]。'],
    ['Due in 30 days ［Ｓｏｕｒｃｅ ２］.', 'Due in 30 days [1].'],
    ['Due in 30 days (2).', 'Due in 30 days [1].'],
    ['三十天内提交(2)。', '三十天内提交[1]。'],
    ['Due in 30 days. (2)', 'Due in 30 days. [1]'],
    ['Due in 30 days (2)(4).', 'Due in 30 days [1][2].'],
  ];
  for (const [written, expected] of forms) {
    it(`rewrites ${JSON.stringify(written)}`, () => {
      const result = verifyCitations(written, six);
      expect(result.text).toBe(expected);
      expect(result.cited[0]?.chunkId).toBe('chunk-2');
      expect(result.droppedMarkers).toBe(0);
    });
  }

  it('leaves a bare (n) alone where it enumerates, indexes or names something else', () => {
    for (const text of [
      '(1) Book the train. (2) Keep the receipt.',
      'Do two things: (1) book the train, (2) keep the receipt.',
      'As in equation (2).',
      'Call f(2).',
      'Step (3): done.',
      'It has (2) parts and more.',
      'There are eight sources (8).',
      '(2)',
    ]) {
      const result = verifyCitations(text, six);
      expect(result.text).toBe(text);
      expect(result.cited).toEqual([]);
    }
  });

  it('does not read words in brackets, checkboxes or parentheses as markers', () => {
    for (const text of ['[x] done and [ ] open.', 'See (the appendix).', '[Source] and (source) alone.', 'A [note] here (Sources vary).'])
      expect(verifyCitations(text, six).text).toBe(text);
  });
});

describe('verifyCitations: citations by file name', () => {
  const named = [
    { ...six[0]!, source: 'handbook.md', docId: 'hb' },
    { ...six[1]!, source: 'Q3 report.pdf', docId: 'q3' },
    { ...six[2]!, source: 'Q3 report.pdf', docId: 'q3' },
    { ...six[3]!, source: 'notes.txt', docId: 'notes-a' },
    { ...six[4]!, source: 'notes.txt', docId: 'notes-b' },
  ];

  it('maps a name that one document has to its best-ranked passage', () => {
    expect(verifyCitations('Trains only [handbook.md].', named).text).toBe('Trains only [1].');
    expect(verifyCitations('Trains only (Source: handbook.md).', named).text).toBe('Trains only [1].');
    expect(verifyCitations('Trains only [Source: "handbook.md"].', named).text).toBe('Trains only [1].');
    expect(verifyCitations('Trains only (handbook.md).', named).text).toBe('Trains only [1].');
    const report = verifyCitations('Revenue grew [q3 REPORT.pdf, p. 2].', named);
    expect(report.text).toBe('Revenue grew [1].');
    expect(report.cited.map((c) => c.chunkId)).toEqual(['chunk-2']);
  });

  it('writes a name that two documents share as plain text, citing neither', () => {
    const result = verifyCitations('It says so [notes.txt].', named);
    expect(result.text).toBe('It says so notes.txt.');
    expect(result).toMatchObject({ cited: [], droppedMarkers: 0 });
  });

  it('drops and counts a file name no source has', () => {
    const result = verifyCitations('It says so [budget.xlsx] and [Source: plan.docx].', named);
    expect(result.text).toBe('It says so and.');
    expect(result.droppedMarkers).toBe(2);
  });
});

describe('verifyCitations: dropped markers are counted', () => {
  it('counts each unknown number of each marker, in every form', () => {
    const result = verifyCitations('A [99]. B [Source 99]. C [7-8]. D 【9†source】 [1].', six);
    expect(result.text).toBe('A. B. C. D [1].');
    expect(result.dropped).toEqual([99, 7, 8, 9]);
    expect(result.droppedMarkers).toBe(5);
  });
});

describe('verifyCitations: a source list the model wrote', () => {
  it.each([
    ['Sources:\n- [1] file-1.pdf\n- [3] file-3.pdf'],
    ['**Sources:**\n1. file-1.pdf, p. 1\n2. file-3.pdf'],
    ['## References\n\n[1] file-1.pdf\n[3] file-3.pdf'],
    ['---\nSources: [1], [3]'],
    ['References: file-1.pdf, file-3.pdf'],
    ['参考资料：\n- 【1】file-1.pdf\n- 【3】file-3.pdf'],
    ['来源：[1]、[3]'],
    ['[^1]: file-1.pdf\n[^3]: file-3.pdf'],
  ])('removes a trailing list: %j', (list) => {
    const result = verifyCitations(`Receipts are due in 30 days [2].\n\n${list}\n`, six);
    expect(result.text).toBe('Receipts are due in 30 days [1].');
    expect(result.cited.map((c) => c.chunkId)).toEqual(['chunk-2']);
  });

  it('keeps a list that is not at the end, and a heading-less bullet list', () => {
    const middle = 'Sources:\n- [1] file-1.pdf\n\nSo receipts are due in 30 days [2].';
    expect(verifyCitations(middle, six).text).toBe('Sources:\n- [1] file-1.pdf\n\nSo receipts are due in 30 days [2].');
    const steps = 'Do this:\n- book [1]\n- pay [2]';
    expect(verifyCitations(steps, six).text).toBe(steps);
  });

  it('leaves nothing of an answer that is only a source list', () => {
    expect(verifyCitations('Sources:\n- [1] file-1.pdf', six).text).toBe('');
  });
});
