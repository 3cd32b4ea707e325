import { afterEach, describe, expect, it } from 'vitest';
import { SlackOutbox } from '../src/bots/slack/message-outbox.js';
import { SlackDouble } from './doubles/slack-double.js';
import type { SlackRateLimitOptions } from './doubles/slack-rate-limits.js';

/**
 * SlackOutbox against the Slack double's rate limits (429 + Retry-After): posts one at a time per
 * channel, their text read when their turn comes, never given up; streamed edits only while
 * chat.update has room for the final ones.
 */
describe('SlackOutbox', () => {
  let slack: SlackDouble | undefined;
  afterEach(async () => {
    await slack?.close();
    slack = undefined;
  });

  async function start(rateLimits: SlackRateLimitOptions = {}): Promise<{ slack: SlackDouble; outbox: SlackOutbox }> {
    slack = await SlackDouble.start({ rateLimits });
    slack.addChannel({ id: 'CA', name: 'alpha' });
    slack.addChannel({ id: 'CB', name: 'beta' });
    return { slack, outbox: new SlackOutbox({ token: slack.botToken, slackApiUrl: slack.apiUrl }) };
  }

  it('posts a channel’s messages one at a time, each exactly once through 429s, reading its text when its turn comes', async () => {
    // Two at once, then two a second: eight posts in one channel meet several 429s.
    const { slack, outbox } = await start({ postMessageBurst: 2, postMessagePerSecond: 2 });
    const texts = Array.from({ length: 8 }, (_, i) => `message ${i + 1}`);
    let last = 'draft';
    const posts = texts.map((text, i) => outbox.post('CA', () => ({ channel: 'CA', text: i === texts.length - 1 ? last : text })));
    // The last message changes while it waits: what goes out is its text when its turn comes.
    last = 'final text';
    // Another channel is not held up by this one's limit.
    const other = await outbox.post('CB', () => ({ channel: 'CB', text: 'elsewhere' }));
    expect(other.ok).toBe(true);
    expect(slack.messages('CA').length).toBeLessThan(texts.length);
    await Promise.all(posts);

    const landed = slack.messages('CA').map((m) => m.text);
    expect(landed).toEqual([...texts.slice(0, -1), 'final text']);
    const calls = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CA');
    expect(calls.some((c) => c.status === 429)).toBe(true);
    expect(calls.filter((c) => c.ok)).toHaveLength(texts.length);
  }, 30_000);

  it('gives up streamed edits when the chat.update budget is short, and still lands every final edit', async () => {
    const { slack, outbox } = await start();
    const posted = await outbox.post('CA', () => ({ channel: 'CA', text: 'streaming…' }));
    const ts = posted.ts!;
    const owed = Array.from({ length: 10 }, () => outbox.owe());
    expect(outbox.mayStream()).toBe(true);

    // 35 partial edits + 10 messages owing a final edit: the budget (40 a minute) is spent.
    let sent = 0;
    for (let i = 0; i < 35; i++) if (await outbox.updatePartial({ channel: 'CA', ts, text: `partial ${i}` })) sent++;
    expect(sent).toBeLessThan(35);
    expect(outbox.mayStream()).toBe(false);
    expect(await outbox.updatePartial({ channel: 'CA', ts, text: 'one more' })).toBe(false);
    const partialCalls = slack.callsTo('chat.update').length;
    expect(partialCalls).toBe(sent);

    // The final edits go out whatever the budget; Slack's own 50 a minute is never exceeded by streaming.
    for (const settle of owed) settle();
    await outbox.updateFinal({ channel: 'CA', ts, text: 'final answer' });
    expect(slack.messages('CA').at(-1)?.text).toBe('final answer');
    expect(slack.callsTo('chat.update').filter((c) => c.status === 429)).toHaveLength(0);
  }, 30_000);
});
