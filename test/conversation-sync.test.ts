import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMessageChanges } from '../src/app/conversation-sync.js';
import { conversationDocuments, MESSAGES_PER_DAY_DOCUMENT } from '../src/ingest/conversation/documents.js';
import type { ConversationMessage } from '../src/store/conversation-message.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, type TestCore } from './support/harness.js';

const SCOPE = 'slack:T1:C1';
const channel = { scope: SCOPE, name: '#general' };
const message = (id: string, text: string, o: Partial<ConversationMessage> = {}): ConversationMessage => ({
  id,
  author: 'ana',
  sentAt: `2026-11-30T10:00:${id.padStart(2, '0').slice(-2)}.000Z`,
  text,
  url: `https://t.slack.com/archives/C1/p${id}`,
  ...o,
});

describe('conversation documents and sync (core, real Chroma, Ollama double)', () => {
  let ollama: OllamaDouble;
  let t: TestCore;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    t = await createTestCore(ollama);
  });
  afterAll(async () => {
    await t.close();
    await ollama.close();
  });

  it('groups stand-alone messages by day in parts of 100, in the order they were said', () => {
    const day = Array.from({ length: MESSAGES_PER_DAY_DOCUMENT + 5 }, (_, i) =>
      message(String(1000 + i), `m${i}`, {
        sentAt: `2026-11-30T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000Z`,
      }),
    ).reverse();
    const docs = conversationDocuments(channel, 'day:2026-11-30', day);
    expect(docs.map((d) => [d.docId, d.source, d.messages.length])).toEqual([
      ['msg:day:2026-11-30', '#general · 2026-11-30', 100],
      ['msg:day:2026-11-30#2', '#general · 2026-11-30 (part 2)', 5],
    ]);
    expect(docs[0]!.messages[0]!.text).toBe('m0');
  });

  it('a reply moves its root from the day into the thread; an edit embeds only that message and its old text is gone; a deletion empties the day', async () => {
    await applyMessageChanges(t.core, channel, {
      upserts: [message('1', 'Lunch is at noon.'), message('2', 'Which bucket holds the backups?')],
      deletions: [],
    });
    expect((await t.core.index.documents([SCOPE])).map((d) => d.docId)).toEqual(['msg:day:2026-11-30']);

    ollama.reset();
    await applyMessageChanges(t.core, channel, {
      upserts: [message('3', 'The backups are in bucket B-7.', { author: 'ben', threadId: '2' })],
      deletions: [],
    });
    const ids = (await t.core.index.documents([SCOPE])).map((d) => d.docId).sort();
    expect(ids).toEqual(['msg:day:2026-11-30', 'msg:thread:2']);
    const thread = await t.core.index.chunksOf(SCOPE, 'msg:thread:2');
    expect(thread.map((c) => [c.text, c.metadata.url, c.metadata.author])).toEqual([
      ['ana: Which bucket holds the backups?', 'https://t.slack.com/archives/C1/p2', 'ana'],
      ['ben: The backups are in bucket B-7.', 'https://t.slack.com/archives/C1/p3', 'ben'],
    ]);
    // The root moved into the thread: its chunk there is new (another document), the day's lunch chunk is not re-embedded.
    expect(ollama.embedInputs.flat().some((i) => i.includes('Lunch'))).toBe(false);

    ollama.reset();
    const idsBefore = await t.core.index.chunkIdsOf(SCOPE, 'msg:thread:2');
    await applyMessageChanges(t.core, channel, {
      upserts: [message('3', 'The backups are in bucket B-9.', { author: 'ben', threadId: '2' })],
      deletions: [],
    });
    expect(ollama.embedInputs.flat()).toHaveLength(1);
    expect(ollama.embedInputs.flat()[0]).toContain('B-9');
    const idsAfter = await t.core.index.chunkIdsOf(SCOPE, 'msg:thread:2');
    expect(idsAfter[0]).toBe(idsBefore[0]);
    expect(idsAfter[1]).not.toBe(idsBefore[1]);
    expect(await t.core.index.vectorIds({ scope: SCOPE })).toEqual(expect.not.arrayContaining([idsBefore[1]]));
    const found = await t.core.index.keywordSearch('backups bucket', [SCOPE], 5);
    expect(found.map((d) => d.pageContent).join('\n')).toContain('B-9');
    expect(found.some((d) => d.pageContent.includes('B-7'))).toBe(false);

    await applyMessageChanges(t.core, channel, { upserts: [], deletions: ['1'] });
    expect((await t.core.index.documents([SCOPE])).map((d) => d.docId)).toEqual(['msg:thread:2']);
  });
});
