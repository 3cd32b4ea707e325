import { Document } from '@langchain/core/documents';
import { describe, expect, it } from 'vitest';
import { SentenceTrimmer, SKIPPED_TEXT, trimToRelevantSentences } from '../src/chains/sentence-trimmer.js';
import { sentenceSpans, splitSentences } from '../src/text/sentences.js';
import { estimateTokens } from '../src/text/tokens.js';

const withoutSpace = (text: string): string => text.replace(/\s+/g, '');

describe('splitSentences: English', () => {
  it('splits at . ! ? followed by a space', () => {
    expect(splitSentences('It rained. Did it stop? Yes! It did.')).toEqual(['It rained.', 'Did it stop?', 'Yes!', 'It did.']);
  });

  it('does not split after abbreviations, initials, decimals or inside words', () => {
    expect(splitSentences('Use e.g. a test. Dr. Smith paid $3.5 million. See p. 3 and No. 5 here.')).toEqual([
      'Use e.g. a test.',
      'Dr. Smith paid $3.5 million.',
      'See p. 3 and No. 5 here.',
    ]);
    expect(splitSentences('The U.S. Army left. J. R. R. Tolkien wrote it. Visit example.com. Code EXP-4471.Next')).toEqual([
      'The U.S. Army left.',
      'J. R. R. Tolkien wrote it.',
      'Visit example.com.',
      'Code EXP-4471.Next',
    ]);
  });

  it('splits after a number that ends a sentence, and keeps closing quotes and ellipses', () => {
    expect(splitSentences('The value is 3.5. Next one. He said "Stop." Then... Nothing?!')).toEqual([
      'The value is 3.5.',
      'Next one.',
      'He said "Stop."',
      'Then...',
      'Nothing?!',
    ]);
  });

  it('treats newlines as boundaries and drops empty lines', () => {
    expect(splitSentences('Title\n\n- first item\n- second item. More\r\nend')).toEqual([
      'Title',
      '- first item',
      '- second item.',
      'More',
      'end',
    ]);
  });
});

describe('splitSentences: Chinese and mixed', () => {
  it('splits after 。！？； without spaces', () => {
    expect(splitSentences('长江很长。黄河也很长！是吗？是的；不是。')).toEqual([
      '长江很长。',
      '黄河也很长！',
      '是吗？',
      '是的；',
      '不是。',
    ]);
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    expect(splitSentences('他说：“你好。”然后走了。「我来了。」她说。（这是备注。）下一句')).toEqual([
      '他说：“你好。”',
      '然后走了。',
      '「我来了。」',
      '她说。',
      '（这是备注。）',
      '下一句',
    ]);
  });

  it('splits mixed English and Chinese, also at ASCII punctuation before CJK', () => {
    expect(splitSentences('The fee is 5 yuan. 费用是五元。English again.是吗?好的')).toEqual([
      'The fee is 5 yuan.',
      '费用是五元。',
      'English again.',
      '是吗?',
      '好的',
    ]);
  });

  it('reproduces the input modulo whitespace, and spans point into it', () => {
    const text = '  First one.  Second?\n\n第三句。第四句！ Fifth e.g. here.  ';
    expect(withoutSpace(splitSentences(text).join(''))).toBe(withoutSpace(text));
    for (const span of sentenceSpans(text)) expect(text.slice(span.start, span.end).trim()).toBe(text.slice(span.start, span.end));
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences('  \n ')).toEqual([]);
  });
});

const ENGLISH = [
  'The company was founded in 1998 in a small garage.',
  'It grew quickly during the following decade.',
  'Most employees work in the headquarters building.',
  'The reimbursement policy caps hotel expenses at 180 dollars per night.',
  'The cafeteria serves lunch between noon and two.',
  'Parking is free for visitors who register at the desk.',
  'Receipts for reimbursement must be submitted within 30 days.',
  'The annual party takes place in December.',
  'Security badges must be worn at all times.',
  'The library on the third floor is open to everyone.',
].join(' ');

const CHINESE = [
  '公司成立于一九九八年。',
  '它在随后的十年里发展迅速。',
  '大多数员工在总部大楼工作。',
  '差旅报销标准规定酒店费用每晚不超过八百元。',
  '食堂中午十二点到两点供应午餐。',
  '访客在前台登记后可以免费停车。',
  '年会在十二月举行。',
  '员工必须随时佩戴工牌。',
].join('');

describe('trimToRelevantSentences', () => {
  it('keeps the sentence with the query terms, within the limit, in original order', () => {
    const trimmed = trimToRelevantSentences(ENGLISH, 'What is the hotel reimbursement cap per night?', 40);
    expect(estimateTokens(trimmed)).toBeLessThanOrEqual(40);
    expect(trimmed).toBe(
      `The reimbursement policy caps hotel expenses at 180 dollars per night.${SKIPPED_TEXT}Receipts for reimbursement must be submitted within 30 days.`,
    );
  });

  it('fills room left with unmatched sentences from the start, adjacent ones joined as written', () => {
    const trimmed = trimToRelevantSentences(ENGLISH, 'hotel cap', 45);
    expect(estimateTokens(trimmed)).toBeLessThanOrEqual(45);
    expect(trimmed).toBe(
      'The company was founded in 1998 in a small garage. It grew quickly during the following decade.' +
        `${SKIPPED_TEXT}The reimbursement policy caps hotel expenses at 180 dollars per night.`,
    );
    const roomier = trimToRelevantSentences(ENGLISH, 'hotel cap', 60);
    expect(roomier).toBe(
      'The company was founded in 1998 in a small garage. It grew quickly during the following decade. ' +
        'Most employees work in the headquarters building. The reimbursement policy caps hotel expenses at 180 dollars per night.',
    );
  });

  it('works on Chinese', () => {
    const trimmed = trimToRelevantSentences(CHINESE, '酒店报销标准是多少？', 30);
    expect(estimateTokens(trimmed)).toBeLessThanOrEqual(30);
    // The first sentence does not fit beside the best one; a later, shorter one does.
    expect(trimmed).toBe(`差旅报销标准规定酒店费用每晚不超过八百元。${SKIPPED_TEXT}年会在十二月举行。`);
  });

  it('cuts the best sentence by characters when it alone is too long', () => {
    const trimmed = trimToRelevantSentences(CHINESE, '酒店报销标准', 8);
    expect(trimmed).toBe('差旅报销标准规…'); // 7 CJK characters + "…" = 8 tokens
    expect(estimateTokens(trimmed)).toBeLessThanOrEqual(8);
    const english = trimToRelevantSentences(ENGLISH, 'hotel reimbursement', 5);
    expect(english).toBe('The reimbursement p…'); // 20 characters = 5 tokens
    expect(estimateTokens(english)).toBeLessThanOrEqual(5);
  });

  it('returns text within the limit unchanged', () => {
    expect(trimToRelevantSentences('Short text. Two sentences.', 'anything', 100)).toBe('Short text. Two sentences.');
  });
});

describe('SentenceTrimmer', () => {
  const documents = (): Document[] => [
    new Document({ pageContent: ENGLISH, metadata: { source: 'handbook.pdf', page: 2 }, id: 'c1' }),
    new Document({ pageContent: 'Hotels are booked by the travel desk.', metadata: { source: 'short.txt' }, id: 'c2' }),
    new Document({ pageContent: CHINESE, metadata: { source: '手册.txt' }, id: 'c3' }),
  ];

  it('trims long documents, marks them, and passes short ones through unchanged', async () => {
    const input = documents();
    const snapshot = input.map((document) => ({ pageContent: document.pageContent, metadata: { ...document.metadata }, id: document.id }));
    const output = await new SentenceTrimmer({ maxTokensPerDocument: 30 }).compressDocuments(input, 'hotel reimbursement 酒店报销');

    expect(output).toHaveLength(3);
    expect(output[0]!.pageContent).toContain('The reimbursement policy caps hotel expenses at 180 dollars per night.');
    expect(output[0]!.metadata).toEqual({ source: 'handbook.pdf', page: 2, trimmed: true });
    expect(output[0]!.id).toBe('c1');
    expect(output[1]).toBe(input[1]);
    expect(output[2]!.pageContent).toContain('差旅报销标准规定酒店费用每晚不超过八百元。');
    expect(output[2]!.metadata.trimmed).toBe(true);
    for (const document of output) expect(estimateTokens(document.pageContent)).toBeLessThanOrEqual(30);

    // Inputs are untouched.
    expect(input.map((document) => ({ pageContent: document.pageContent, metadata: document.metadata, id: document.id }))).toEqual(
      snapshot,
    );
  });

  it('keeps kept sentences in their original order', async () => {
    const [output] = await new SentenceTrimmer({ maxTokensPerDocument: 50 }).compressDocuments(
      documents().slice(0, 1),
      'receipts reimbursement hotel',
    );
    const kept = output!.pageContent.split(SKIPPED_TEXT).flatMap((part) => splitSentences(part));
    const positions = kept.map((sentence) => ENGLISH.indexOf(sentence));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('asks a limit function again for every call', async () => {
    let limit = 1000;
    const trimmer = new SentenceTrimmer({ maxTokensPerDocument: () => limit });
    expect((await trimmer.compressDocuments(documents(), 'hotel'))[0]!.pageContent).toBe(ENGLISH);
    limit = 20;
    expect((await trimmer.compressDocuments(documents(), 'hotel'))[0]!.metadata.trimmed).toBe(true);
  });

  it('rejects a limit below one token', async () => {
    await expect(new SentenceTrimmer({ maxTokensPerDocument: 0 }).compressDocuments(documents(), 'x')).rejects.toThrow(RangeError);
  });
});
