import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource, type TestCore } from './support/harness.js';

// What OCR made of a 200-dpi page scanned 0.7° off with sensor noise (issue 26): 猎户座集群 read as 独尸座集群.
const MISREAD_PAGE = `运维手册 第 3 页
独尸座集群的维护窗口是每周六凌晨两点到四点，期间服务暂停。
维护开始前一天，值班工程师会在运维频道发布通知。
如需在窗口外变更，请提前三个工作日提交申请。`;

const OTHER_PAGES: [string, string][] = [
  ['报销制度.md', '差旅报销需要在出差结束后三十天内提交，报销代码为 EXP-4471。发票必须是原件。'],
  ['入职指南.md', '新员工入职第一周完成安全培训，并在内网领取工牌和电脑。'],
  ['网络说明.md', '办公室无线网络每季度更换一次密码，访客网络与内网隔离。'],
];

describe('evidence gate without a reranker', () => {
  let ollama: OllamaDouble;
  let t: TestCore;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
    t = await createTestCore(ollama, { RERANKER: 'none' });
    const indexer = await t.core.indexer();
    await indexer.ingestAll([
      memorySource('local:ops', 'scan-p3.txt', MISREAD_PAGE),
      ...OTHER_PAGES.map(([name, text]) => memorySource('local:ops', name, text)),
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await ollama?.close();
  });

  it('answers a Chinese question from a page where OCR misread one word of it', async () => {
    const answer = await t.core.answerChain().invoke({ question: '猎户座集群的维护窗口是什么时候？', scopes: ['local:ops'] });
    expect(answer.noEvidence).toBeUndefined();
    expect(answer.citations[0]?.source).toBe('scan-p3.txt');
  });

  it('still refuses a question that only shares a topic with the page', async () => {
    const answer = await t.core.answerChain().invoke({ question: '猎户座集群的备份策略是什么？', scopes: ['local:ops'] });
    expect(answer.noEvidence).toBe(true);
  });
});
