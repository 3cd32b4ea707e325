import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../src/bots/discord/commands.js';
import { feedbackButtons } from '../src/bots/discord/feedback-components.js';
import { startDiscordBot } from '../src/bots/discord/discord-bot.js';
import { messages } from '../src/messages/index.js';
import { DiscordDouble } from './doubles/discord-double.js';
import { OllamaDouble } from './doubles/ollama-double.js';
import { createTestCore, memorySource } from './support/harness.js';
import { stopDiscordHarness, type DiscordHarness } from './support/discord-harness.js';

const NORMANS = readFileSync(join(import.meta.dirname, 'fixtures', 'docs', 'Normans.md'));

const GUILD = '1500000000000000001';
const ALPHA = '1500000000000000011';
const BETA = '1500000000000000012';
const THREAD = '1500000000000000013';
const FORUM = '1500000000000000014';
const ANN = { id: '1500000000000000101', username: 'ann' };
const BOB = { id: '1500000000000000102', username: 'bob' };
const CAT = { id: '1500000000000000103', username: 'cat' };
const SCOPE = `discord:${GUILD}:${ALPHA}`;
const BOT = '1500000000000000900';
const CREATE_PUBLIC_THREADS = 1n << 35n;

/** The custom_ids of a message's components, in order. */
function customIds(message: APIMessage | undefined): string[] {
  const ids: string[] = [];
  for (const row of message?.components ?? [])
    for (const c of (row as { components: { custom_id?: string }[] }).components) ids.push(c.custom_id ?? '');
  return ids;
}

describe('Discord interactions (real discord.js against the REST + gateway double)', () => {
  let ollama: OllamaDouble;
  let h: DiscordHarness | undefined;
  beforeAll(async () => {
    ollama = await OllamaDouble.start();
  });
  afterEach(async () => {
    await stopDiscordHarness(h);
    h = undefined;
  });
  afterAll(async () => {
    await ollama.close();
  });

  async function start(overrides: Record<string, string> = {}): Promise<DiscordHarness> {
    const discord = await DiscordDouble.start({ botId: BOT });
    discord.addGuild({
      id: GUILD,
      name: 'Docs team',
      channels: [
        { id: ALPHA, name: 'alpha' },
        // citebot may not start threads in #beta.
        { id: BETA, name: 'beta', permissionOverwrites: [{ id: BOT, type: 1, deny: CREATE_PUBLIC_THREADS }] },
        { id: THREAD, name: 'normans', type: 11, parentId: ALPHA },
        { id: FORUM, name: 'questions', type: 15 },
      ],
      members: [ANN, BOB, CAT],
    });
    const t = await createTestCore(ollama, {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      STREAM_EDIT_INTERVAL_MS: '250',
      ...overrides,
    });
    const indexer = await t.core.indexer();
    for (const scope of [SCOPE, `discord:${GUILD}:${FORUM}`]) await indexer.ingest(memorySource(scope, 'Normans.md', NORMANS));
    const bot = await startDiscordBot(t.core);
    await registerCommands(t.settings, GUILD);
    return (h = { discord, t, bot });
  }

  /** citebot's final reply to a message: the one that carries buttons. */
  async function answered(discord: DiscordDouble, channelId: string, questionId: string): Promise<APIMessage> {
    let reply: APIMessage | undefined;
    await expect
      .poll(
        () =>
          customIds(
            (reply = discord
              .messages(channelId)
              .find((m) => m.message_reference?.message_id === questionId && m.author.id === discord.botId)),
          ).length,
        { timeout: 20_000 },
      )
      .toBe(2);
    return reply!;
  }

  it('👍/👎 under an answer: a 👎 offers the reasons, "something else" opens a dialog; each lands in the store with its reason', async () => {
    const { discord, t } = await start();
    const question = discord.sendMessage({
      channelId: ALPHA,
      guildId: GUILD,
      author: ANN,
      content: 'Who were the Normans?',
      mentionsBot: true,
    });
    const reply = await answered(discord, ALPHA, question.id);
    const [up, down] = customIds(reply);
    const answerId = up!.split(':').at(-1)!;
    expect((await t.core.state.answers.get(answerId))?.question).toBe('Who were the Normans?');
    const en = messages('en');
    const labels = (reply.components![0] as { components: { label: string }[] }).components.map((c) => c.label);
    expect(labels).toEqual([en.discord.helpful, en.discord.notHelpful]);

    // /ask private:true: the buttons are on the ephemeral reply, and work there too.
    const asked = discord.sendInteraction({
      name: 'ask',
      options: { question: 'Who were the Normans?', private: true },
      channelId: ALPHA,
      guildId: GUILD,
      user: BOB,
    });
    await expect.poll(() => customIds(discord.interactionMessages(asked.id).original).length, { timeout: 20_000 }).toBe(2);
    const privateAnswer = discord.interactionMessages(asked.id).original!;
    expect(privateAnswer.flags! & 64).toBe(64);
    const privateUp = discord.sendComponent({
      channelId: ALPHA,
      messageId: privateAnswer.id,
      customId: customIds(privateAnswer)[0]!,
      user: BOB,
    });
    await expect.poll(() => discord.interactionCallback(privateUp.id)?.type).toBe(4);
    const privateId = customIds(privateAnswer)[0]!.split(':').at(-1)!;
    expect(await t.core.state.answers.feedback(privateId)).toEqual([{ userId: BOB.id, rating: 'up' }]);

    // 👍: stored, thanked privately.
    const liked = discord.sendComponent({ channelId: ALPHA, messageId: reply.id, customId: up!, user: BOB });
    await expect.poll(() => discord.interactionCallback(liked.id)?.type).toBe(4);
    expect(discord.interactionCallback(liked.id)?.data).toMatchObject({ content: en.feedback.thanksHelpful, flags: 64 });

    // 👎 then a reason from the select: the ephemeral message becomes the thanks (type 7).
    const disliked = discord.sendComponent({ channelId: ALPHA, messageId: reply.id, customId: down!, user: ANN });
    await expect.poll(() => discord.interactionCallback(disliked.id)?.type).toBe(4);
    const prompt = discord.interactionMessages(disliked.id).original!;
    expect(prompt.flags! & 64).toBe(64);
    expect(prompt.content).toBe(en.discord.whatWentWrong);
    const [select] = customIds(prompt);
    const options = (prompt.components![0] as { components: { options: { value: string; label: string }[] }[] }).components[0]!.options;
    expect(options.map((o) => o.value)).toEqual(['wrong-source', 'not-in-files', 'wrong-language', 'other']);
    // Before a reason is chosen the 👎 is already on record.
    await expect.poll(async () => (await t.core.state.answers.feedback(answerId)).find((f) => f.userId === ANN.id)?.rating).toBe('down');
    const chose = discord.sendComponent({ channelId: ALPHA, messageId: prompt.id, customId: select!, values: ['wrong-source'], user: ANN });
    await expect.poll(() => discord.interactionCallback(chose.id)?.type).toBe(7);
    expect(discord.messages(ALPHA).find((m) => m.id === prompt.id)).toMatchObject({ content: en.feedback.thanksNoted, components: [] });

    // "Something else…": a dialog (type 9); its text is stored, and the reasons' message becomes the thanks.
    const catDown = discord.sendComponent({ channelId: ALPHA, messageId: reply.id, customId: down!, user: CAT });
    await expect.poll(() => discord.interactionMessages(catDown.id).original?.components?.length).toBe(1);
    const catPrompt = discord.interactionMessages(catDown.id).original!;
    const other = discord.sendComponent({
      channelId: ALPHA,
      messageId: catPrompt.id,
      customId: customIds(catPrompt)[0]!,
      values: ['other'],
      user: CAT,
    });
    await expect.poll(() => discord.interactionCallback(other.id)?.type).toBe(9);
    expect(discord.openModal(other.id)).toMatchObject({ title: en.discord.otherTitle });
    const submitted = discord.submitModal({ openedBy: other.id, fields: { text: 'It mixed up Rollo and William' } });
    await expect.poll(() => discord.interactionCallback(submitted.id)?.type).toBe(7);
    expect(discord.messages(ALPHA).find((m) => m.id === catPrompt.id)?.content).toBe(en.feedback.thanksNoted);

    // A button whose answer is not on record (another install's, or a data directory started afresh).
    const channel = await h!.bot.client.channels.fetch(ALPHA);
    if (!channel?.isSendable()) throw new Error('#alpha is not sendable');
    const stale = await channel.send({ content: 'old answer', components: feedbackButtons('00000000-0000-4000-8000-000000000000', 'en') });
    const goneClick = discord.sendComponent({
      channelId: ALPHA,
      messageId: stale.id,
      customId: customIds(discord.messages(ALPHA).find((m) => m.id === stale.id))[1]!,
      user: BOB,
    });
    await expect.poll(() => discord.interactionCallback(goneClick.id)?.data).toMatchObject({ content: en.feedback.answerGone, flags: 64 });

    const feedback = await t.core.state.answers.feedback(answerId);
    expect(feedback).toEqual([
      { userId: BOB.id, rating: 'up' },
      { userId: ANN.id, rating: 'down', reason: { kind: 'wrong-source' } },
      { userId: CAT.id, rating: 'down', reason: { kind: 'other', text: 'It mixed up Rollo and William' } },
    ]);
  });

  it('a Chinese question gets Chinese buttons and reasons', async () => {
    const { discord } = await start({ EVIDENCE_MIN_COVERAGE: '0' });
    const zh = messages('zh');
    const question = discord.sendMessage({ channelId: ALPHA, guildId: GUILD, author: ANN, content: '诺曼人是谁？', mentionsBot: true });
    const reply = await answered(discord, ALPHA, question.id);
    expect((reply.components![0] as { components: { label: string }[] }).components.map((c) => c.label)).toEqual([
      zh.discord.helpful,
      zh.discord.notHelpful,
    ]);
    const down = discord.sendComponent({ channelId: ALPHA, messageId: reply.id, customId: customIds(reply)[1]!, user: BOB });
    await expect.poll(() => discord.interactionMessages(down.id).original?.content).toBe(zh.discord.whatWentWrong);
    const labels = (
      discord.interactionMessages(down.id).original!.components![0] as { components: { options: { label: string }[] }[] }
    ).components[0]!.options.map((o) => o.label);
    expect(labels).toEqual(Object.values(zh.discord.reasons));
  });

  it('registers every slash command and option with en-US and zh-CN names and descriptions; Discord refuses a locale it does not know', async () => {
    const discord = await DiscordDouble.start();
    discord.addGuild({ id: GUILD, name: 'Docs team', channels: [{ id: ALPHA, name: 'alpha' }] });
    const t = await createTestCore(ollama, { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
    try {
      await registerCommands(t.settings, GUILD);
      const put = discord.requestsTo('PUT', new RegExp(`^/applications/\\d+/guilds/${GUILD}/commands$`));
      expect(put).toHaveLength(1);
      expect(put[0]!.status).toBe(200);
      type Localized = { name: string; name_localizations?: Record<string, string>; description_localizations?: Record<string, string> };
      const slash = (put[0]!.body as (Localized & { type: number; options?: Localized[] })[]).filter((c) => c.type === 1);
      const zh = messages('zh').discord.commands;
      const en = messages('en').discord.commands;
      expect(slash.map((c) => c.name).sort()).toEqual(['ask', 'forget', 'ingest', 'sources']);
      for (const command of slash) {
        const name = command.name as keyof typeof zh;
        expect(command.name_localizations).toEqual({ 'en-US': en[name].name, 'zh-CN': zh[name].name });
        expect(command.description_localizations).toEqual({ 'en-US': en[name].description, 'zh-CN': zh[name].description });
        for (const option of command.options ?? []) {
          expect(option.name_localizations).toEqual({ 'en-US': option.name, 'zh-CN': zh[name].options[option.name]!.name });
          expect(option.description_localizations?.['zh-CN']).toBe(zh[name].options[option.name]!.description);
        }
      }
      expect(slash.find((c) => c.name === 'ask')!.name_localizations!['zh-CN']).toBe('提问');
      // What Discord keeps is what was sent.
      expect(discord.commands(GUILD).find((c) => c['name'] === 'ask')?.['name_localizations']).toEqual({ 'en-US': 'ask', 'zh-CN': '提问' });

      const refused = await fetch(`${discord.apiUrl}/v10/applications/${discord.applicationId}/guilds/${GUILD}/commands`, {
        method: 'PUT',
        headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ name: 'ask', description: 'Ask', name_localizations: { zh: '提问' } }]),
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(await refused.json())).toContain('LOCALE_INVALID');
    } finally {
      await t.close();
      await discord.close();
    }
  });

  it('"Ask citebot about this" on a message in a thread: answers its text with the thread so far, from the parent channel\'s files, with buttons', async () => {
    const { discord } = await start();
    const en = messages('en');
    discord.sendMessage({ channelId: THREAD, guildId: GUILD, author: ANN, content: 'We are reading about the duchy of Normandy.' });
    const asked = discord.sendMessage({ channelId: THREAD, guildId: GUILD, author: BOB, content: 'Who were the Normans?' });
    ollama.reset();
    const { id } = discord.sendMessageCommand({
      name: en.discord.askAboutMessage,
      channelId: THREAD,
      targetMessageId: asked.id,
      user: CAT,
    });
    await expect.poll(() => discord.interactionCallback(id)?.type).toBe(5);
    let original: APIMessage | undefined;
    await expect.poll(() => customIds((original = discord.interactionMessages(id).original)).length, { timeout: 20_000 }).toBe(2);
    expect(original!.content).toContain(`-# ${en.discord.askedAbout('cat')}: https://discord.com/channels/${GUILD}/${THREAD}/${asked.id}`);
    expect(original!.content).toMatch(/-# \[1\] \[Normans\.md\]/);
    // The thread before the message went to the model as the conversation so far.
    expect(ollama.chatRequests.some((r) => JSON.stringify(r.messages).includes('duchy of Normandy'))).toBe(true);

    // In #beta nothing is indexed: the same message text there is not answered from #alpha's files.
    const elsewhere = discord.sendMessage({ channelId: BETA, guildId: GUILD, author: BOB, content: 'Who were the Normans?' });
    const other = discord.sendMessageCommand({
      name: en.discord.askAboutMessage,
      channelId: BETA,
      targetMessageId: elsewhere.id,
      user: CAT,
    });
    await expect
      .poll(() => discord.interactionMessages(other.id).original?.content ?? '', { timeout: 20_000 })
      .toContain(en.answer.noFilesIndexed);

    // A message without text: said so, no model call.
    ollama.reset();
    const bare = discord.sendMessage({
      channelId: ALPHA,
      guildId: GUILD,
      author: BOB,
      content: '',
      attachments: [{ filename: 'notes.txt', bytes: 'x' }],
    });
    const empty = discord.sendMessageCommand({ name: en.discord.askAboutMessage, channelId: ALPHA, targetMessageId: bare.id, user: CAT });
    await expect.poll(() => discord.interactionMessages(empty.id).original?.content).toBe(en.discord.nothingToAskAbout);
    expect(ollama.chatRequests).toHaveLength(0);
  });

  it('"Index attachments" indexes a message\'s files in its channel\'s scope with the share limits; a message without files is told so', async () => {
    const { discord, t } = await start({ MAX_FILE_MB: '0.001' });
    const en = messages('en');
    const shared = discord.sendMessage({
      channelId: THREAD,
      guildId: GUILD,
      author: ANN,
      content: 'two files',
      attachments: [
        { filename: 'rollo.md', bytes: '# Rollo\n\nRollo was the first ruler of Normandy, granted land in 911.' },
        { filename: 'big.txt', bytes: 'x'.repeat(5000) },
      ],
    });
    const { id } = discord.sendMessageCommand({
      name: en.discord.indexAttachments,
      channelId: THREAD,
      targetMessageId: shared.id,
      user: BOB,
    });
    let summary = '';
    await expect.poll(() => (summary = discord.interactionMessages(id).original?.content ?? ''), { timeout: 20_000 }).toMatch(/^2 files: /);
    expect(summary).toContain('1 new');
    expect(summary).toMatch(/big\.txt/);
    // The thread's parent channel is the scope; nothing went to #beta's.
    const docs = await t.core.index.documents([SCOPE]);
    expect(docs.find((d) => d.source === 'rollo.md')?.status).toBe('indexed');
    expect(await t.core.index.documents([`discord:${GUILD}:${BETA}`])).toHaveLength(0);

    const plain = discord.sendMessage({ channelId: ALPHA, guildId: GUILD, author: ANN, content: 'no files here' });
    const none = discord.sendMessageCommand({ name: en.discord.indexAttachments, channelId: ALPHA, targetMessageId: plain.id, user: BOB });
    await expect.poll(() => discord.interactionMessages(none.id).original?.content).toBe(en.discord.noAttachments);
  });

  it('DISCORD_ANSWER_MODE=thread: a mention gets a thread named after the question, answered there; follow-ups there need no mention', async () => {
    const { discord } = await start({ DISCORD_ANSWER_MODE: 'thread' });
    const question = discord.sendMessage({
      channelId: ALPHA,
      guildId: GUILD,
      author: ANN,
      content: 'Who were the Normans?',
      mentionsBot: true,
    });
    const started = await discord.waitForRequest('POST', new RegExp(`^/channels/${ALPHA}/messages/${question.id}/threads$`), 20_000);
    expect(started.body).toMatchObject({ name: 'Who were the Normans?' });
    expect(discord.channel(question.id)).toMatchObject({ type: 11, parent_id: ALPHA, owner_id: discord.botId });
    // The answer is the thread's first post (with sources and buttons), not a reply in #alpha.
    let answer: APIMessage | undefined;
    await expect
      .poll(() => customIds((answer = discord.messages(question.id).find((m) => m.author.id === discord.botId))).length, {
        timeout: 20_000,
      })
      .toBe(2);
    expect(answer!.content).toMatch(/-# \[1\] \[Normans\.md\]/);
    expect(answer!.message_reference).toBeUndefined();
    expect(discord.messages(ALPHA).filter((m) => m.author.id === discord.botId)).toHaveLength(0);

    ollama.reset();
    const follow = discord.sendMessage({ channelId: question.id, guildId: GUILD, author: BOB, content: 'Where did they settle?' });
    const reply = await answered(discord, question.id, follow.id);
    expect(reply.content).toMatch(/-# \[1\]/);
    // The question that started the thread (in #alpha) is part of the conversation so far.
    expect(ollama.chatRequests.some((r) => JSON.stringify(r.messages).includes('Who were the Normans?'))).toBe(true);
    // Where citebot may not start threads, it replies (and says why in the log).
    const noThreads = discord.sendMessage({
      channelId: BETA,
      guildId: GUILD,
      author: ANN,
      content: 'Who were the Normans?',
      mentionsBot: true,
    });
    await expect
      .poll(() => discord.messages(BETA).find((m) => m.message_reference?.message_id === noThreads.id)?.content ?? '', { timeout: 20_000 })
      .toContain(messages('en').answer.noFilesIndexed);
    expect(discord.channel(noThreads.id)).toBeUndefined();
    // Threads citebot did not start still need a mention.
    const chatter = discord.sendMessage({ channelId: THREAD, guildId: GUILD, author: BOB, content: 'Who were the Normans, again?' });
    const later = discord.sendMessage({ channelId: question.id, guildId: GUILD, author: ANN, content: 'And their language?' });
    await answered(discord, question.id, later.id);
    expect(discord.messages(THREAD).some((m) => m.message_reference?.message_id === chatter.id)).toBe(false);
  });

  it.each(['reply', 'thread'])(
    "a mention in a forum post is answered in the post (DISCORD_ANSWER_MODE=%s), from the forum's files",
    async (mode) => {
      const { discord } = await start({ DISCORD_ANSWER_MODE: mode });
      const post = discord.createForumPost({
        forumId: FORUM,
        guildId: GUILD,
        title: 'Normans?',
        author: ANN,
        content: 'Who were the Normans?',
        mentionsBot: true,
      });
      const reply = await answered(discord, post.id, post.id);
      expect(reply.channel_id).toBe(post.id);
      expect(reply.content).toMatch(/-# \[1\] \[Normans\.md\]/);
      expect(discord.requestsTo('POST', /\/threads$/)).toHaveLength(0);
    },
  );
});
