import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OllamaDouble } from './doubles/ollama-double.js';
import { rateAnswer } from '../src/app/feedback.js';
import { runCli } from './support/cli.js';
import { finishedReply, fixture, mention, shareNormans, startSlackHarness, TEAM, type SlackHarness } from './support/slack-harness.js';

const ocrFixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'ocr', name));

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
    ollama.configure({ tokenDelayMs: 0 });
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

  /** What a reader sees of a finished reply, with the stored answer's id (it differs per run) left out. */
  const shown = (m: Record<string, unknown>) => JSON.stringify({ text: m.text, blocks: m.blocks }).replace(/[0-9a-f-]{36}/g, '<answer>');

  it('streams natively in a thread (status first, then appends), and ends with the same message as the edit path', async () => {
    ollama.configure({ tokenDelayMs: 40 });
    const edited = await startSlackHarness(ollama);
    let editedReply: Record<string, unknown>;
    try {
      await shareNormans(edited);
      editedReply = await finishedReply(edited, 'CA', await mention(edited, 'Who were the Normans?'));
    } finally {
      await edited.stop();
    }

    h = await startSlackHarness(ollama, { double: { streaming: true } });
    const { slack } = h;
    await shareNormans(h);
    const ts = await mention(h, 'Who were the Normans?');
    const reply = await finishedReply(h, 'CA', ts);
    expect(shown(reply)).toBe(shown(editedReply));
    expect(reply.streaming_state).toBe('completed');

    // The status came first, in the question's language, with loading messages; the reply cleared it.
    const [status] = slack.callsTo('assistant.threads.setStatus');
    expect(status!.args).toMatchObject({
      channel_id: 'CA',
      thread_ts: ts,
      status: 'Searching the files shared in this conversation…',
      loading_messages: ['Searching the files shared in this conversation…', 'Writing…'],
    });
    expect(slack.assistantThreads.get(`CA ${ts}`)!.status).toBe('');
    // A reply in the thread, to the asker; text appended as the model wrote it; stopped; one edit into the final blocks.
    const [start] = slack.callsTo('chat.startStream');
    expect(start!.args).toMatchObject({ channel: 'CA', thread_ts: ts, recipient_user_id: 'UANA', recipient_team_id: TEAM });
    expect(slack.callsTo('chat.appendStream').length).toBeGreaterThanOrEqual(1);
    expect(slack.callsTo('chat.stopStream')).toHaveLength(1);
    const answerCalls = (method: string) => slack.callsTo(method).filter((c) => c.args.ts === reply.ts || c.args.thread_ts === ts);
    expect(answerCalls('chat.update')).toHaveLength(1);
    expect(answerCalls('chat.postMessage')).toHaveLength(0);
    expect(slack.calls.filter((c) => !c.ok && c.method.startsWith('chat.'))).toEqual([]);

    // /ask, once streaming is known to work here: the question is posted, and the answer streams in a thread under it.
    await h.command('/ask', 'Who were the Normans?');
    const asked = await slack.waitFor(
      (c) => c.method === 'chat.postMessage' && /\*uana\* asked: Who were the Normans\?/.test(String(c.args.text)),
    );
    expect(asked.args.thread_ts).toBeUndefined();
    const askedTs = slack.messages('CA').find((m) => /asked: Who were the Normans/.test(m.text))!.ts;
    const askReply = await finishedReply(h, 'CA', askedTs);
    expect(askReply.streaming_state).toBe('completed');
    expect(shown(askReply)).toBe(shown(editedReply));

    // In a DM the stream needs no recipient.
    await shareNormans(h, 'DANA', 'Warsaw.html');
    const dm = slack.postUserMessage('DANA', { user: 'UANA', text: 'Which river does Warsaw stand on?' });
    await h.event({ ...dm, type: 'message' });
    await finishedReply(h, 'DANA', String(dm.ts));
    const dmStart = slack.callsTo('chat.startStream').find((c) => c.args.channel === 'DANA')!;
    expect(dmStart.args).toMatchObject({ thread_ts: dm.ts });
    expect(dmStart.args.recipient_user_id).toBeUndefined();
  }, 120_000);

  it('where Slack refuses streaming and statuses, answers are edited into place; the workspace is not asked again', async () => {
    ollama.configure({ tokenDelayMs: 40 });
    h = await startSlackHarness(ollama, { double: { streaming: false, assistantScope: false } });
    const { slack } = h;
    await shareNormans(h);
    const first = await mention(h, 'Who were the Normans?');
    const reply = await finishedReply(h, 'CA', first);
    expect(reply.streaming_state).toBeUndefined();
    expect(slack.callsTo('chat.startStream')).toMatchObject([{ ok: false, error: 'unknown_method' }]);
    expect(slack.callsTo('assistant.threads.setStatus')).toMatchObject([{ ok: false, error: 'missing_scope' }]);
    // The fallback streamed by editing its own message.
    expect(slack.callsTo('chat.update').filter((c) => c.args.ts === reply.ts).length).toBeGreaterThanOrEqual(2);

    const second = await mention(h, 'Where is Normandy?');
    await finishedReply(h, 'CA', second);
    expect(slack.callsTo('chat.startStream')).toHaveLength(1);
    expect(slack.callsTo('assistant.threads.setStatus')).toHaveLength(1);
    // The edit path shows its placeholder while nothing streams.
    expect(slack.callsTo('chat.postMessage').some((c) => c.args.thread_ts === second && /^Searching/.test(String(c.args.text)))).toBe(true);
  }, 120_000);

  it('a screenshot in a mention is read (OCR), indexed in the channel like a share, and the answer cites it', async () => {
    h = await startSlackHarness(ollama, { settings: { MAX_FILE_MB: '0.5' } });
    const { slack } = h;
    const shot = slack.addFile({ id: 'FSHOT', name: 'error-dialog.png', channel: 'CA', user: 'UANA', bytes: ocrFixture('english.png') });
    const huge = slack.addFile({ id: 'FHUGE', name: 'huge.txt', channel: 'CA', user: 'UANA', bytes: 'x', size: 900_000 });
    const ts = await mention(h, 'Which service timed out, and when should the payment be retried?', { files: [shot, huge] });
    const reply = await finishedReply(h, 'CA', ts, 60_000);
    // The share's summary in the thread, with the same refusal /ingest gives.
    const summary = slack.messages('CA').find((m) => m.thread_ts === ts && /^2 files: 1 new/.test(m.text))!;
    expect(summary.text).toMatch(/huge\.txt: too large.*MAX_FILE_MB/);
    const cited = JSON.stringify(reply.blocks);
    expect(cited).toContain('error-dialog.png');
    // The model was given the screenshot's words.
    expect(ollama.chatRequests.map((r) => JSON.stringify(r.messages)).some((p) => p.includes('invoice service timed out'))).toBe(true);
    // Indexed in the channel's scope, as a share would be: later questions there find it too.
    expect((await h.t.core.index.documents([`slack:${TEAM}:CA`])).map((d) => d.source)).toContain('error-dialog.png');
  }, 120_000);

  it('the Home tab tells anyone how to ask and where; a workspace admin also sees the feedback and the latest 👎 with its reason', async () => {
    h = await startSlackHarness(ollama);
    const { slack } = h;
    slack.addUser({ id: 'UADMIN', name: 'root', isAdmin: true });
    await shareNormans(h);
    const { core } = h.t;
    const saved = await core.state.answers.save({
      scope: `slack:${TEAM}:CA`,
      question: 'Who was Rollo?',
      answer: 'A Viking [1].',
      sources: [],
    });
    await rateAnswer(core, saved.id, 'UBEN', 'down', { kind: 'wrong-source', text: 'cites the wrong part' });
    await rateAnswer(core, saved.id, 'UANA', 'up');

    const open = (user: string) =>
      h!.event({ type: 'app_home_opened', user, channel: 'DHOME', tab: 'home', event_ts: '1800000000.000100' });
    await open('UADMIN');
    await open('UANA');
    await expect.poll(() => slack.homeTabs.size, { timeout: 10_000 }).toBe(2);
    const admin = JSON.stringify(slack.homeTabs.get('UADMIN'));
    expect(admin).toContain('Channels with indexed files: <#CA>');
    expect(admin).toContain('<#CA>: 👍 1 · 👎 1');
    expect(admin).toContain('“Who was Rollo?” — wrong-source: cites the wrong part');
    const member = JSON.stringify(slack.homeTabs.get('UANA'));
    expect(member).toContain('Mention me in a channel');
    expect(member).toContain('<#CA>');
    expect(member).not.toContain('👎');
  }, 60_000);

  it('the message shortcut "Index this file" indexes that message’s files in the channel, and says so when there are none', async () => {
    h = await startSlackHarness(ollama);
    const { slack } = h;
    const file = slack.addFile({ id: 'FGUIDE', name: 'guide.md', channel: 'CA', user: 'UBEN', bytes: fixture('guide.md') });
    const posted = slack.postUserMessage('CA', { user: 'UBEN', text: 'the guide' });
    const shortcut = (message: Record<string, unknown>, responseUrl = slack.responseUrl()) =>
      h!.interaction({
        type: 'message_action',
        callback_id: 'citebot_index_files',
        trigger_id: slack.triggerId(),
        message_ts: message.ts,
        response_url: responseUrl,
        message,
        user: { id: 'UANA', name: 'ana', team_id: TEAM, username: 'ana' },
        channel: { id: 'CA', name: 'alpha' },
        team: { id: TEAM, domain: 'citebot-test' },
        token: 'deprecatedVerificationToken',
        action_ts: '1800000000.000300',
        is_enterprise_install: false,
      });
    expect((await shortcut({ ...posted, files: [file] })).status).toBe(200);
    const summary = await slack.waitFor((c) => c.method === 'chat.update' && /^1 file: 1 new/.test(String(c.args.text)), 30_000);
    expect(slack.messages('CA').find((m) => m.ts === summary.args.ts)!.thread_ts).toBe(posted.ts);
    expect((await h.t.core.index.documents([`slack:${TEAM}:CA`])).map((d) => d.source)).toEqual(['guide.md']);

    const plain = slack.postUserMessage('CA', { user: 'UBEN', text: 'no files here' });
    const url = slack.responseUrl();
    await shortcut(plain, url);
    await expect.poll(() => JSON.stringify(slack.responses(url)), { timeout: 10_000 }).toContain('That message has no files to index');
  }, 60_000);
});
