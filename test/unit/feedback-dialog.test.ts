import { describe, expect, it } from 'vitest';
import { feedbackSince } from '../../src/app/feedback.js';
import { feedbackDialog, readFeedbackDialog } from '../../src/bots/slack/feedback-dialog.js';
import { FEEDBACK_REASONS } from '../../src/store/ports.js';

describe('the 👎 dialog', () => {
  it('offers every reason, in the question’s language, within Slack’s 24-character titles', () => {
    for (const language of ['en', 'zh'] as const) {
      const view = feedbackDialog('a1', language);
      for (const key of ['title', 'submit', 'close'] as const) expect(view[key]!.text.length).toBeLessThanOrEqual(24);
      const options = JSON.stringify(view.blocks);
      for (const kind of FEEDBACK_REASONS) expect(options).toContain(`"value":"${kind}"`);
    }
    expect(JSON.stringify(feedbackDialog('a1', 'zh').blocks)).toContain('文件里没有这个答案');
  });

  it('reads the reason and the words; words alone count as "other"; "other" needs words', () => {
    const submitted = (kind: string | undefined, text: string | null) => ({
      private_metadata: JSON.stringify({ answerId: 'a1', language: 'zh' }),
      state: {
        values: {
          reason: { kind: { selected_option: kind ? { value: kind } : null } },
          details: { text: { value: text } },
        },
      },
    });
    expect(readFeedbackDialog(submitted('wrong-language', null))).toEqual({
      ok: true,
      answerId: 'a1',
      language: 'zh',
      reason: { kind: 'wrong-language' },
    });
    expect(readFeedbackDialog(submitted(undefined, ' cites page 9 '))).toMatchObject({
      ok: true,
      reason: { kind: 'other', text: 'cites page 9' },
    });
    expect(readFeedbackDialog(submitted('other', '  '))).toEqual({
      ok: false,
      language: 'zh',
      errors: { details: expect.stringContaining('请说明') },
    });
  });
});

describe('feedback --since', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  it('takes a date, a time or how long ago, and refuses anything else with the forms it takes', () => {
    expect(feedbackSince('7d', now)).toBe('2026-11-30T12:00:00.000Z');
    expect(feedbackSince('12h', now)).toBe('2026-12-07T00:00:00.000Z');
    expect(feedbackSince('2026-12-01', now)).toBe('2026-12-01T00:00:00.000Z');
    expect(feedbackSince('2026-12-01T09:00Z', now)).toBe('2026-12-01T09:00:00.000Z');
    expect(() => feedbackSince('last week', now)).toThrow(/--since "last week" is neither a date nor a duration/);
    expect(() => feedbackSince('2026-13-45', now)).toThrow(/neither a date/);
  });
});
