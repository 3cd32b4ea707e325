import { describe, expect, it, vi } from 'vitest';
import { LLM_UNAVAILABLE_MESSAGE, NO_FILES_MESSAGE, NOT_COVERED_MESSAGE } from '../src/chains/answer-chain.js';
import { isPlaceholder, placeholderText, thinkingText } from '../src/bots/common/chat-text.js';
import { failureMessage } from '../src/bots/common/failure-message.js';
import { CitebotError } from '../src/errors.js';
import { log } from '../src/log.js';
import { summarizeIngest } from '../src/app/shared-files.js';
import { detectLanguage, isLanguage, LANGUAGES, messages, type Messages } from '../src/messages/index.js';
import { en } from '../src/messages/en.js';

/** Every key path of a catalogue, with its value's type: two languages must have the same. */
function shape(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [`${path}:${typeof value}`];
  return Object.entries(value).flatMap(([key, inner]) => shape(inner, path ? `${path}.${key}` : key));
}

/** Arguments for the texts that take more than strings and numbers. */
const SAMPLE_ARGUMENTS: Record<string, unknown[]> = {
  'answer.notCoveredClosest': [['a.pdf', 'b.md']],
  'answer.notCoveredClosestSources': [['#c1 · 2023-11-14', 'a.pdf']],
  'ingest.summary': [{ files: 12, indexed: 3, updated: 1, unchanged: 6, notIndexed: 2, passages: 40 }],
  'ingest.conversationSummary': [{ messages: 120, documents: 14, total: 3400 }],
  'ingest.readingMessages': [1200],
};

/** Every text of a catalogue: its strings, and its functions called with sample arguments. */
function texts(catalogue: Messages): string[] {
  const { language: _language, ...rest } = catalogue;
  const strings = shape(rest).filter((entry) => entry.endsWith(':string'));
  const called = Object.entries(flatFunctions(rest)).map(([path, fn]) =>
    String((fn as (...args: unknown[]) => unknown)(...(SAMPLE_ARGUMENTS[path] ?? ['«x»', 7, 3].slice(0, fn.length)))),
  );
  return [...strings.map((entry) => valueAt(rest, entry.split(':')[0]!)), ...called];
}

function valueAt(value: object, path: string): string {
  return String(path.split('.').reduce<unknown>((inner, key) => (inner as Record<string, unknown>)[key], value));
}

describe('message catalogue', () => {
  it('has English and Simplified Chinese, with the same keys and parameters', () => {
    expect(LANGUAGES).toEqual(['en', 'zh']);
    const english = shape(messages('en'));
    for (const language of LANGUAGES) {
      expect(shape(messages(language))).toEqual(english);
      for (const [path, fn] of Object.entries(flatFunctions(messages(language))))
        expect(fn.length, `${language} ${path}`).toBe(flatFunctions(messages('en'))[path]!.length);
    }
  });

  it('has no empty text in any language', () => {
    for (const language of LANGUAGES) {
      const all = texts(messages(language));
      expect(all.length).toBeGreaterThan(50);
      for (const text of all) expect(text.trim()).not.toBe('');
    }
  });

  it('puts every parameter into the text', () => {
    for (const language of LANGUAGES) {
      const m = messages(language);
      expect(m.answer.notCoveredClosest(['a.pdf', 'b.md'])).toMatch(/a\.pdf.+b\.md/u);
      expect(m.placeholders.searching('#general')).toContain('#general');
      expect(m.forget.slackRemoved('plan.docx', 12)).toMatch(/plan\.docx.*12/u);
      expect(m.ingest.progress(3, 12)).toMatch(/3\/12/u);
      expect(m.ingest.summary({ files: 12, indexed: 3, updated: 1, unchanged: 6, notIndexed: 2, passages: 40 })).toMatch(
        /12.*3.*1.*6.*2.*40/u,
      );
      expect(m.failure.withReason(m.failure.doing.answer, 'REASON')).toContain('REASON');
      expect(m.ingest.conversationSummary({ messages: 120, documents: 14, total: 3400 })).toMatch(/120.*14.*3,?400/u);
      expect(m.ingest.readingMessages(1200)).toMatch(/1,?200$/u);
    }
  });

  it('in English, says exactly what citebot says today', () => {
    const m = messages('en');
    expect(m.answer.noFilesIndexed).toBe(NO_FILES_MESSAGE);
    expect(m.answer.notCovered).toBe(NOT_COVERED_MESSAGE);
    expect(m.answer.modelUnavailable).toBe(LLM_UNAVAILABLE_MESSAGE);
    expect(m.placeholders.searching('#general')).toBe(placeholderText('#general', 'en'));
    expect(m.ingest.nothingToIndex).toBe(summarizeIngest([]));
    const results = [
      { scope: 's', docId: 'a', source: 'a.pdf', status: 'indexed' as const, chunks: 4 },
      { scope: 's', docId: 'b', source: 'b.pdf', status: 'unchanged' as const, chunks: 2 },
      { scope: 's', docId: 'c', source: 'c.zip', status: 'skipped' as const, chunks: 0, error: 'unsupported type' },
    ];
    const summary = m.ingest.summary({ files: 3, indexed: 1, updated: 0, unchanged: 1, notIndexed: 1, passages: 4 });
    expect([summary, m.ingest.problemLine('c.zip', 'unsupported type', 'skipped')].join('\n')).toBe(summarizeIngest(results));
  });

  it('a language missing a key does not compile', () => {
    // @ts-expect-error: labels.closestFiles and labels.continued are missing
    const incomplete: Messages = { ...en, labels: { sources: 'Sources', alsoRelevant: 'Also relevant' } };
    expect(isLanguage('en') && Boolean(incomplete)).toBe(true);
    expect(isLanguage('xx')).toBe(false);
  });
});

describe('detectLanguage', () => {
  it.each([
    ['差旅报销需要在多少天内提交收据？', 'zh'],
    ['报销代码 EXP-4471 是什么？', 'zh'],
    ['Kubernetes 的 pod 怎么重启？', 'zh'],
    ['你好', 'zh'],
    ['When are receipts due?', 'en'],
    ['What does 张三 say about the budget?', 'en'],
    ['', 'en'],
    ['4471?', 'en'],
  ])('%j is %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});

describe('catalogue texts in the chat adapters', () => {
  it("recognises every language's placeholders, and not answers that merely start alike", () => {
    for (const language of LANGUAGES) {
      expect(isPlaceholder(placeholderText('#general', language))).toBe(true);
      expect(isPlaceholder(placeholderText(messages(language).placeholders.thisConversation, language))).toBe(true);
      expect(isPlaceholder(thinkingText(language))).toBe(true);
    }
    expect(isPlaceholder('Thinking… about it, the spec says 30 days [1].')).toBe(false);
    expect(isPlaceholder('正在搜索的结果显示：30 天 [1]。')).toBe(false);
  });

  it('words a failure in the language asked for, keeping the reason as it is', () => {
    const error = new CitebotError('chroma_unavailable', 'Chroma is not reachable at http://127.0.0.1:9', { fix: 'start it' });
    const zh = failureMessage(error, 'answer', 'zh');
    expect(zh).toBe(messages('zh').failure.withDoctor(messages('zh').failure.doing.answer, error.message));
    const logged = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    expect(failureMessage(new Error('boom'), { command: 'sources' }, 'zh')).toBe(messages('zh').failure.internal('执行 /sources'));
    // The log stays English for whoever reads it.
    expect(logged.mock.calls[0]![0]).toMatch(/^unexpected failure while trying to run \/sources: boom/u);
    logged.mockRestore();
  });
});

function flatFunctions(value: object, path = ''): Record<string, (...args: never[]) => unknown> {
  const out: Record<string, (...args: never[]) => unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (typeof inner === 'function') out[at] = inner as (...args: never[]) => unknown;
    else if (typeof inner === 'object' && inner !== null) Object.assign(out, flatFunctions(inner as object, at));
  }
  return out;
}
