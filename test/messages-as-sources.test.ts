/**
 * Wording when a channel's messages are the sources (issue 26.4): "not covered" names the closest
 * sources, not "files", and a first read that found nothing in its window says how far back it read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMessageChanges } from '../src/app/conversation-sync.js';
import { summarizeConversation } from '../src/app/conversation-ingest.js';
import { plainSources } from '../src/cli/answer-text.js';
import type { ConversationMessage } from '../src/store/conversation-message.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, type TestCore } from './support/harness.js';

const SCOPE = 'slack:T1:C1';
const message = (id: string, text: string): ConversationMessage => ({
  id,
  author: 'ana',
  sentAt: `2023-11-14T10:00:${id.padStart(2, '0')}.000Z`,
  text,
  url: `https://t.slack.com/archives/C1/p${id}`,
});

describe('wording with messages as sources', () => {
  let ollama: OllamaDouble;
  let t: TestCore;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    t = await createTestCore(ollama);
    await applyMessageChanges(
      t.core,
      { scope: SCOPE, name: '#c1' },
      {
        upserts: [message('1', 'Lunch is at noon in the cafeteria.'), message('2', 'The printer on floor 3 is out of toner.')],
        deletions: [],
      },
    );
    await (await t.core.indexer()).ingest(memorySource('local:files', 'handbook.md', '# Handbook\n\nReceipts are due within 30 days.\n'));
  });
  afterAll(async () => {
    await t.close();
    await ollama.close();
  });

  it('"not covered" names the closest sources, in English and in Chinese', async () => {
    const chain = t.core.answerChain();
    const en = await chain.invoke({ question: 'What is the boiling point of tungsten?', scopes: [SCOPE] });
    expect(en.noEvidence).toBe(true);
    expect(en.answer).toBe("What was shared here doesn't cover this. The closest sources are #c1 · 2023-11-14.");
    expect(plainSources(en)).toMatch(/^Closest sources:\n\[1\] #c1 · 2023-11-14/);

    const zh = await chain.invoke({ question: '钨的沸点是多少？', scopes: [SCOPE] });
    expect(zh.noEvidence).toBe(true);
    expect(zh.answer).toBe('这里共享的内容没有涉及这个问题。最接近的来源是：#c1 · 2023-11-14。');
    expect(plainSources(zh)).toMatch(/^最接近的来源:\n/);

    // Files alone are still "files".
    const files = await chain.invoke({ question: 'What is the boiling point of tungsten?', scopes: ['local:files'] });
    expect(files.answer).toBe("The files shared here don't cover this. The closest files are handbook.md.");
    expect(plainSources(files)).toMatch(/^Closest files:/);
  });

  it('a first read that found nothing says how many days it read and how to read further back, in English and in Chinese', () => {
    const nothing = { messages: 0, documents: 0, chunks: 0, total: 0, historyDays: 365 };
    expect(summarizeConversation(nothing, 'en')).toBe(
      'Conversation: no messages in the last 365 days (SLACK_HISTORY_DAYS=365); to read further back, raise SLACK_HISTORY_DAYS and run /ingest again.',
    );
    expect(summarizeConversation(nothing, 'zh')).toBe(
      '会话：最近 365 天内没有消息（SLACK_HISTORY_DAYS=365）；要读取更早的消息，请调大 SLACK_HISTORY_DAYS 后再运行 /ingest。',
    );
    // A later read with nothing new is still "no new messages".
    expect(summarizeConversation({ ...nothing, historyDays: undefined, total: 4 }, 'en')).toBe(
      'Conversation: no new messages; 4 messages indexed in this channel.',
    );
  });
});
