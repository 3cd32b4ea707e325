import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OllamaDouble } from './doubles/ollama-double.js';
import { runCli } from './support/cli.js';
import { finishedReply, mention, shareNormans, startSlackHarness, TEAM, type SlackHarness } from './support/slack-harness.js';

/** Slack as an AI app (issue 23): feedback dialogs, native streaming, statuses, files in questions. */
describe('Slack AI-app surface (real Bolt against the Slack double)', () => {
  let ollama: OllamaDouble;
  let h: SlackHarness | undefined;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });
  afterAll(() => ollama.close());

  it('👎 opens a dialog asking what went wrong; its answer is stored and `citebot feedback` lists it', async () => {
    h = await startSlackHarness(ollama);
    const { slack } = h;
    await shareNormans(h);
    const ts = await mention(h, 'Who were the Normans?');
    const reply = await finishedReply(h, 'CA', ts);
    const buttons = JSON.stringify(reply.blocks);
    expect(buttons).toContain('"type":"context_actions"');
    const answerId = /"value":"down:([0-9a-f-]{36})"/.exec(buttons)![1]!;

    // ben clicks 👎 (Slack's block_actions payload for feedback_buttons).
    const click = await h.interaction({
      type: 'block_actions',
      team: { id: TEAM, domain: 'citebot-test' },
      user: { id: 'UBEN', username: 'ben', name: 'ben', team_id: TEAM },
      api_app_id: 'A0CITEBOT',
      container: { type: 'message', message_ts: reply.ts, channel_id: 'CA', is_ephemeral: false, thread_ts: ts },
      channel: { id: 'CA', name: 'alpha' },
      message: reply,
      trigger_id: slack.triggerId(),
      response_url: slack.responseUrl(),
      actions: [
        {
          type: 'feedback_buttons',
          action_id: 'citebot_feedback',
          block_id: 'citebot_feedback',
          value: `down:${answerId}`,
          text: { type: 'plain_text', text: '👎', emoji: true },
          action_ts: '1800000000.000200',
        },
      ],
    });
    expect(click.status).toBe(200);
    const opened = await slack.waitFor((c) => c.method === 'views.open' && c.ok);
    const view = opened.args.view as { callback_id: string; title: { text: string }; blocks: { block_id: string }[] };
    expect(view.title.text).toBe('What went wrong?');
    expect(JSON.stringify(view.blocks)).toContain('The answer is not in the files');
    // The 👎 counts at once, before (or without) the dialog's answer.
    expect(await h.t.core.state.answers.feedback(answerId)).toEqual([{ userId: 'UBEN', rating: 'down' }]);
    const viewId = [...slack.views.keys()][0]!;

    // "Other" with nothing said: the dialog stays open with the fix under the text box.
    const blank = await h.interaction(
      slack.viewSubmission(viewId, 'UBEN', {
        reason: {
          kind: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Something else' }, value: 'other' } },
        },
        details: { text: { type: 'plain_text_input', value: null } },
      }),
    );
    expect(JSON.parse(blank.body)).toMatchObject({
      response_action: 'errors',
      errors: { details: expect.stringMatching(/Say what went wrong/) },
    });

    const sent = await h.interaction(
      slack.viewSubmission(viewId, 'UBEN', {
        reason: {
          kind: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'not-in-files' } },
        },
        details: { text: { type: 'plain_text_input', value: '  It is in the 2nd chapter.  ' } },
      }),
    );
    expect(JSON.parse(sent.body)).toMatchObject({
      response_action: 'update',
      view: { blocks: [{ text: { text: expect.stringMatching(/^Thanks/) } }] },
    });
    const [entry] = await h.t.core.state.answers.listFeedback({});
    expect(entry).toMatchObject({
      userId: 'UBEN',
      rating: 'down',
      reason: { kind: 'not-in-files', text: 'It is in the 2nd chapter.' },
      answer: { question: 'Who were the Normans?', scope: `slack:${TEAM}:CA` },
    });

    // The operator reads it.
    const listed = await runCli(['feedback', '--scope', `slack:${TEAM}:CA`, '--since', '1d', '--json'], h.t.env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const { feedback } = JSON.parse(listed.stdout) as { feedback: Record<string, unknown>[] };
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({
      rating: 'down',
      reason: { kind: 'not-in-files', text: 'It is in the 2nd chapter.' },
      question: 'Who were the Normans?',
      sources: [expect.objectContaining({ source: 'Normans.md' })],
      model: expect.any(String),
    });
    const table = await runCli(['feedback'], h.t.env);
    expect(table.stdout).toMatch(/not-in-files: It is in the 2nd chapter\./);
    expect(table.stdout).toContain('Who were the Normans?');
    const bad = await runCli(['feedback', '--scope', `slack:${TEAM}:CB`, '--since', 'last week'], h.t.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "last week".*12h, 7d, 2w/s);
  }, 90_000);
});
