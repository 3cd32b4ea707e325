import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  type ClientEvents,
  type Message,
  type TextChannel,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordDouble, type DiscordDoubleOptions, type GuildSpec } from './doubles/discord-double.js';

/**
 * The double is only worth having if the real discord.js Client accepts it, so everything here goes
 * through discord.js 14 (`rest: { api: double.apiUrl }`), not hand-written requests — except the CDN
 * downloads, which citebot does with fetch().
 */

const GUILD = '1200000000000000001';
const GENERAL = '1200000000000000002';
const HIDDEN = '1200000000000000003';
const DM = '1200000000000000004';
const ANN = { id: '1200000000000000010', username: 'ann' };

const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

let discord: DiscordDouble | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  await discord?.close();
  discord = undefined;
});

const guildSpec = (overrides: Partial<GuildSpec> = {}): GuildSpec => ({
  id: GUILD,
  name: 'Docs team',
  channels: [
    { id: GENERAL, name: 'general' },
    // The bot's role cannot see #hidden (an @everyone overwrite denying VIEW_CHANNEL).
    { id: HIDDEN, name: 'hidden', permissionOverwrites: [{ id: GUILD, type: 0, deny: PermissionFlagsBits.ViewChannel }] },
  ],
  members: [ANN],
  ...overrides,
});

async function start(options: DiscordDoubleOptions = {}): Promise<DiscordDouble> {
  discord = await DiscordDouble.start(options);
  return discord;
}

function newClient(double: DiscordDouble, intents: number[] = INTENTS): Client {
  const client = new Client({ intents, partials: [Partials.Channel], rest: { api: double.apiUrl } });
  clients.push(client);
  return client;
}

/** Logs in and waits for clientReady (the event discord.js 14.28 emits; 'ready' is its deprecated alias). */
async function connect(double: DiscordDouble, intents?: number[]): Promise<Client<true>> {
  const client = newClient(double, intents);
  const ready = nextEvent(client, Events.ClientReady);
  await client.login(double.token);
  await ready;
  return client as Client<true>;
}

function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  filter: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((done, fail) => {
    const listener = (...args: ClientEvents[K]) => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      done(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      fail(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

const general = (client: Client) => client.channels.cache.get(GENERAL) as TextChannel;

describe('DiscordDouble with the real discord.js Client', () => {
  it('logs in: GET /gateway/bot, HELLO, IDENTIFY, READY, then GUILD_CREATE for the guilds in READY', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = newClient(double);
    const available = nextEvent(client, Events.GuildAvailable);
    const ready = nextEvent(client, Events.ClientReady);
    await expect(client.login(double.token)).resolves.toBe(double.token);
    const [readyClient] = await ready;

    expect(readyClient.user.id).toBe(double.botId);
    expect(readyClient.user.bot).toBe(true);
    expect(readyClient.application.id).toBe(double.applicationId);
    // Guilds listed (unavailable) in READY arrive as guildAvailable, not guildCreate.
    const [guild] = await available;
    expect(guild.id).toBe(GUILD);
    expect(guild.channels.cache.get(GENERAL)?.name).toBe('general');
    expect(guild.members.me?.id).toBe(double.botId);
    expect(general(client).permissionsFor(double.botId)?.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(guild.channels.cache.get(HIDDEN)?.permissionsFor(double.botId)?.has(PermissionFlagsBits.ViewChannel)).toBe(false);

    expect(double.requestsTo('GET', /^\/gateway\/bot$/)).toHaveLength(1);
    expect(double.requestsTo('GET', /^\/gateway\/bot$/)[0]!.authorization).toBe(`Bot ${double.token}`);
    expect(double.identifies).toHaveLength(1);
    expect(double.identifies[0]!.intents).toBe(INTENTS.reduce((a, b) => a | b, 0));
    expect(double.sessions).toHaveLength(1);

    // A guild added while connected is a join: guildCreate.
    const created = nextEvent(client, Events.GuildCreate);
    double.addGuild({ id: '1200000000000000100', name: 'Second', channels: [{ id: '1200000000000000101', name: 'talk' }] });
    const [second] = await created;
    expect(second.name).toBe('Second');
  });

  it('refuses a wrong token with 401, which discord.js reports as TokenInvalid', async () => {
    const double = await start();
    const client = newClient(double);
    await expect(client.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(double.requestsTo('GET', /^\/gateway\/bot$/)[0]!.status).toBe(401);
  });

  it('acks heartbeats and lets a dropped session RESUME', async () => {
    const double = await start({ heartbeatIntervalMs: 60 });
    double.addGuild(guildSpec());
    const client = await connect(double);
    await double.waitFor(() => double.gatewayLog.heartbeatAcks >= 2, 3000);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0); // the first ACK has been measured by now

    const resumed = new Promise<void>((done) => client.ws.shards.first()!.once('resumed', () => done()));
    double.dropGateway(4000);
    await resumed;
    expect(double.gatewayLog.received.some((p) => p.op === 6)).toBe(true);
    expect(double.identifies).toHaveLength(1);

    const got = nextEvent(client, Events.MessageCreate);
    double.sendMessage({ channelId: GENERAL, author: ANN, content: 'after the resume' });
    expect((await got)[0].content).toBe('after the resume');
  });

  it('delivers a mention with attachments as messageCreate', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const received = nextEvent(client, Events.MessageCreate);
    const sent = double.sendMessage({
      channelId: GENERAL,
      author: ANN,
      content: 'what does the handbook say about refunds?',
      mentionsBot: true,
      attachments: [{ filename: 'refund policy.txt', bytes: 'Refunds within 14 days.' }],
    });
    const [message] = await received;

    expect(message.id).toBe(sent.id);
    expect(message.content).toBe(`<@${double.botId}> what does the handbook say about refunds?`);
    expect(message.mentions.users.has(double.botId)).toBe(true);
    expect(message.mentions.has(client.user)).toBe(true);
    expect(message.author.id).toBe(ANN.id);
    expect(message.guildId).toBe(GUILD);
    expect(message.member?.id).toBe(ANN.id);
    const attachment = message.attachments.first()!;
    expect(attachment.name).toBe('refund_policy.txt'); // Discord replaces spaces
    expect(attachment.size).toBe(23);
    expect(attachment.contentType).toBe('text/plain; charset=utf-8');
    expect(attachment.url).toMatch(
      new RegExp(`^${double.cdnUrl}/attachments/${GENERAL}/\\d+/refund_policy\\.txt\\?ex=[0-9a-f]{8}&is=[0-9a-f]{8}&hm=[0-9a-f]{64}&$`),
    );
    expect(attachment.proxyURL).toContain('/media/attachments/');
  });

  it('masks content without the MESSAGE_CONTENT intent, except for mentions', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const plain = nextEvent(client, Events.MessageCreate, (m) => m.author.id === ANN.id);
    double.sendMessage({ channelId: GENERAL, author: ANN, content: 'not for the bot', attachments: [{ filename: 'a.txt', bytes: 'x' }] });
    const [masked] = await plain;
    expect(masked.content).toBe('');
    expect(masked.attachments.size).toBe(0);

    const mention = nextEvent(client, Events.MessageCreate);
    double.sendMessage({ channelId: GENERAL, author: ANN, content: 'for the bot', mentionsBot: true });
    expect((await mention)[0].content).toBe(`<@${double.botId}> for the bot`);

    // Messages in channels the bot cannot see are not dispatched at all.
    double.sendMessage({ channelId: HIDDEN, author: ANN, content: 'secret', mentionsBot: true });
    const after = nextEvent(client, Events.MessageCreate);
    double.sendMessage({ channelId: GENERAL, author: ANN, content: 'x', mentionsBot: true });
    expect((await after)[0].channelId).toBe(GENERAL);
  });

  it('records message.reply (message_reference, allowed_mentions, flags) and message.edit', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const received = nextEvent(client, Events.MessageCreate);
    const question = double.sendMessage({ channelId: GENERAL, author: ANN, content: 'refunds?', mentionsBot: true });
    const [message] = await received;

    // Discord echoes the bot's own messages back as MESSAGE_CREATE.
    const echo = nextEvent(client, Events.MessageCreate, (m) => m.author.id === double.botId);
    const reply = await message.reply({
      content: 'Refunds are issued within 14 days. [1] <@1200000000000000010> @everyone',
      allowedMentions: { parse: [] },
      flags: MessageFlags.SuppressEmbeds,
    });
    const [echoed] = await echo;
    expect(echoed.id).toBe(reply.id);

    const [post] = double.requestsTo('POST', /^\/channels\/\d+\/messages$/);
    expect(post!.body).toMatchObject({
      message_reference: { message_id: question.id, fail_if_not_exists: true },
      allowed_mentions: { parse: [] },
      flags: MessageFlags.SuppressEmbeds,
    });
    expect(reply.reference?.messageId).toBe(question.id);
    expect(reply.mentions.users.size).toBe(0); // parse: [] — nobody pinged, not even the replied-to user
    expect(reply.mentions.everyone).toBe(false);
    expect(reply.flags.has(MessageFlags.SuppressEmbeds)).toBe(true);

    const edited = await reply.edit({ content: 'Refunds are issued within 14 days. [1]' });
    expect(edited.content).toBe('Refunds are issued within 14 days. [1]');
    expect(edited.editedTimestamp).not.toBeNull();
    expect(double.requestsTo('PATCH', new RegExp(`^/channels/${GENERAL}/messages/${reply.id}$`))).toHaveLength(1);
    const stored = double.messages(GENERAL).find((m) => m.id === reply.id)!;
    expect(stored.content).toBe('Refunds are issued within 14 days. [1]');
    expect(stored.type).toBe(19);

    // Editing someone else's message is refused as on Discord.
    await expect(message.edit('hijack')).rejects.toMatchObject({ code: 50005, status: 403 });

    const deleted = nextEvent(client, Events.MessageDelete);
    await reply.delete();
    expect((await deleted)[0].id).toBe(reply.id);
    expect(double.messages(GENERAL).map((m) => m.id)).toEqual([question.id]);
  });

  it('accepts multipart uploads (payload_json + files[n]) and serves them back from the CDN', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const pending = double.waitForRequest('POST', /^\/channels\/\d+\/messages$/);
    const sent = await general(client).send({
      content: 'Full answer attached.',
      files: [{ attachment: Buffer.from('# Answer\n[1] handbook.pdf'), name: 'answer.md', description: 'the answer' }],
    });
    const request = await pending;
    expect(request.body).toMatchObject({ content: 'Full answer attached.', attachments: [{ id: '0', description: 'the answer' }] });
    expect(request.files).toMatchObject([{ field: 'files[0]', filename: 'answer.md' }]);
    expect(request.files![0]!.bytes.toString()).toBe('# Answer\n[1] handbook.pdf');

    const attachment = sent.attachments.first()!;
    expect(attachment).toMatchObject({
      name: 'answer.md',
      size: 25,
      contentType: 'text/markdown; charset=utf-8',
      description: 'the answer',
    });
    expect(await (await fetch(attachment.url)).text()).toBe('# Answer\n[1] handbook.pdf');

    const app = await client.application.fetch();
    expect(app.id).toBe(double.applicationId);
    expect(app.flags.has('GatewayMessageContentLimited')).toBe(true); // an unverified app with the intent switched on
  });

  it('enforces Discord limits and permissions on sends', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const channel = general(client);
    await expect(channel.send('x'.repeat(2001))).rejects.toMatchObject({ code: 50035, status: 400 });
    await expect(channel.send({ content: 'x', reply: { messageReference: '1200000000000009999' } })).rejects.toMatchObject({ code: 50035 });
    await expect(client.rest.post(`/channels/${HIDDEN}/messages`, { body: { content: 'x' } })).rejects.toMatchObject({
      code: 50001,
      status: 403,
    });
    await expect(client.rest.post(`/channels/${GENERAL}/messages`, { body: {} })).rejects.toMatchObject({ code: 50006 });
    await expect(channel.sendTyping()).resolves.toBeUndefined();
    expect(double.requestsTo('POST', /\/typing$/)[0]!.status).toBe(204);
    const unknown = await client.rest.get('/no/such/route').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DiscordAPIError);
    expect((unknown as DiscordAPIError).status).toBe(404);
    expect(double.requestsTo('GET', /^\/no\/such\/route$/)).toHaveLength(1);
  });

  it('pages through 250 seeded messages with messages.fetch({ limit: 100, before })', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const seeded = double.seedHistory(GENERAL, 250);
    const client = await connect(double);
    const channel = general(client);

    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await channel.messages.fetch({ limit: 100, ...(before ? { before } : {}) });
      if (page.size === 0) break;
      seen.push(...page.map((m) => m.id));
      before = page.last()!.id; // pages come newest first
      if (page.size < 100) break;
    }
    expect(seen).toHaveLength(250);
    expect(seen).toEqual(seeded.map((m) => m.id).reverse());
    expect(new Set(seen).size).toBe(250);
    const pages = double.requestsTo('GET', new RegExp(`^/channels/${GENERAL}/messages$`));
    expect(pages.map((r) => r.query)).toEqual([{ limit: '100' }, { limit: '100', before: seen[99] }, { limit: '100', before: seen[199] }]);
    // Seeding dispatches nothing.
    expect(double.sessions[0]!.seq).toBeLessThan(5);

    const after = await channel.messages.fetch({ limit: 10, after: seeded[0]!.id });
    expect([...after.keys()]).toEqual(
      seeded
        .slice(1, 11)
        .map((m) => m.id)
        .reverse(),
    );
    await expect(channel.messages.fetch({ limit: 101 })).rejects.toThrow();
  });

  it('serves attachments from signed CDN URLs that expire until the message is fetched again', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const received = nextEvent(client, Events.MessageCreate);
    double.sendMessage({
      channelId: GENERAL,
      author: ANN,
      content: 'the file',
      mentionsBot: true,
      attachments: [{ filename: 'notes.md', bytes: '# Notes\nRefunds within 14 days.', contentType: 'text/markdown' }],
    });
    const [message] = await received;
    const url = message.attachments.first()!.url;

    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/markdown');
    expect(await ok.text()).toBe('# Notes\nRefunds within 14 days.');

    double.expireAttachments();
    const gone = await fetch(url);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toBe('This content is no longer available.');
    expect((await fetch(url.split('?')[0]!)).status).toBe(404); // unsigned links never work

    const fresh = await general(client).messages.fetch({ message: message.id, force: true });
    const freshUrl = fresh.attachments.first()!.url;
    expect(freshUrl).not.toBe(url);
    expect((await fetch(freshUrl)).status).toBe(200);
    expect((await fetch(url)).status).toBe(404);

    // A short lifetime runs out by itself.
    double.setAttachmentTtl(40);
    const shortLived = (await general(client).messages.fetch({ message: message.id, force: true })).attachments.first()!.url;
    expect((await fetch(shortLived)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 60));
    expect((await fetch(shortLived)).status).toBe(404);
    expect(double.downloads.map((d) => d.status)).toEqual([200, 404, 404, 200, 404, 200, 404]);
  });

  it('registers /ask, receives it as a ChatInputCommandInteraction, and records defer, editReply and followUp', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);

    const registered = await client.application.commands.set(
      [
        {
          name: 'ask',
          description: 'Ask the shared files',
          options: [{ name: 'question', description: 'Your question', type: 3, required: true }],
        },
      ],
      GUILD,
    );
    expect(registered.first()?.name).toBe('ask');
    expect(double.requestsTo('PUT', new RegExp(`^/applications/${double.applicationId}/guilds/${GUILD}/commands$`))).toHaveLength(1);
    expect(double.commands(GUILD)).toMatchObject([{ name: 'ask', guild_id: GUILD, application_id: double.applicationId }]);
    await expect(client.application.commands.set([{ name: 'Ask Me', description: 'x' }], GUILD)).rejects.toMatchObject({ code: 50035 });

    const got = nextEvent(client, Events.InteractionCreate);
    const { id, token } = double.sendInteraction({ name: 'ask', options: { question: 'refund window?' }, channelId: GENERAL, user: ANN });
    const [interaction] = await got;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.id).toBe(id);
    expect(interaction.token).toBe(token);
    expect(interaction.commandName).toBe('ask');
    expect(interaction.commandId).toBe(registered.first()!.id);
    expect(interaction.options.getString('question', true)).toBe('refund window?');
    expect(interaction.user.id).toBe(ANN.id);
    expect(interaction.guildId).toBe(GUILD);
    expect(interaction.channelId).toBe(GENERAL);
    expect(interaction.appPermissions.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ViewChannel)).toBe(true);

    await interaction.deferReply();
    const callback = double.interactionCallback(id)!;
    expect(callback).toMatchObject({ type: 5, accepted: true });
    expect(callback.elapsedMs).toBeLessThan(3000);
    const [callbackRequest] = double.requestsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callbackRequest!.authorization).toBeUndefined(); // interaction routes are unauthenticated
    expect(callbackRequest!.status).toBe(204);

    const edited = await interaction.editReply({ content: 'Within 14 days. [1]' });
    expect(edited.content).toBe('Within 14 days. [1]');
    expect(double.requestsTo('PATCH', new RegExp(`^/webhooks/${double.applicationId}/${token}/messages/@original$`))).toHaveLength(1);
    const followUp = await interaction.followUp({ content: 'Sources: [1] handbook.pdf', flags: MessageFlags.SuppressEmbeds });
    expect(followUp.content).toBe('Sources: [1] handbook.pdf');
    expect(double.requestsTo('POST', new RegExp(`^/webhooks/${double.applicationId}/${token}$`))[0]!.query).toMatchObject({ wait: 'true' });

    const { original, followups } = double.interactionMessages(id);
    expect(original).toMatchObject({ content: 'Within 14 days. [1]', type: 20, webhook_id: double.applicationId });
    expect((original!.flags ?? 0) & MessageFlags.Loading).toBe(0);
    expect(followups.map((m) => m.content)).toEqual(['Sources: [1] handbook.pdf']);
    expect((await interaction.fetchReply()).id).toBe(original!.id);
    await expect(interaction.deferReply().catch((e: unknown) => e)).resolves.toMatchObject({ code: 'InteractionAlreadyReplied' });
  });

  it('answers a late first response with 10062 Unknown interaction', async () => {
    const double = await start({ interactionDeadlineMs: 30 });
    double.addGuild(guildSpec());
    const client = await connect(double);
    const got = nextEvent(client, Events.InteractionCreate);
    const { id } = double.sendInteraction({ name: 'ask', options: { question: 'slow?' }, channelId: GENERAL, user: ANN });
    const [interaction] = await got;
    await new Promise((r) => setTimeout(r, 60));
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await expect(interaction.deferReply()).rejects.toMatchObject({ code: 10062, status: 404 });
    expect(double.interactionCallback(id)).toMatchObject({ accepted: false });
  });

  it('takes an immediate ephemeral reply (type 4), also for a command run in a DM', async () => {
    const double = await start();
    double.addDmChannel({ id: DM, recipient: ANN });
    const client = await connect(double);
    const got = nextEvent(client, Events.InteractionCreate);
    const { id } = double.sendInteraction({ name: 'ask', options: { question: 'hi', private: true, top: 3 }, channelId: DM, user: ANN });
    const [interaction] = await got;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.guildId).toBeNull();
    expect(interaction.member).toBeNull();
    expect(interaction.user.id).toBe(ANN.id);
    expect(interaction.channel?.type).toBe(ChannelType.DM);
    expect(interaction.options.getBoolean('private')).toBe(true);
    expect(interaction.options.getInteger('top')).toBe(3);

    await interaction.reply({ content: 'Only you can see this.', flags: MessageFlags.Ephemeral });
    expect(double.interactionCallback(id)).toMatchObject({
      type: 4,
      data: { content: 'Only you can see this.', flags: MessageFlags.Ephemeral },
    });
    expect(double.interactionMessages(id).original).toMatchObject({ content: 'Only you can see this.', flags: MessageFlags.Ephemeral });
    // Ephemeral messages are not part of the channel's history.
    expect(await client.rest.get(`/channels/${DM}/messages`)).toEqual([]);
  });

  it('closes the gateway with 4014 when the app lacks a privileged intent', async () => {
    const double = await start({ rejectIntents: true });
    double.addGuild(guildSpec());
    const client = newClient(double);
    const disconnects: number[] = [];
    client.on(Events.ShardDisconnect, (event) => disconnects.push(event.code));
    const shardErrors: string[] = [];
    client.on(Events.ShardError, (error) => shardErrors.push(error.message));

    // @discordjs/ws turns close code 4014 into a plain Error('Used disallowed intents'); login rejects with it.
    const error = await client.login(double.token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Used disallowed intents');
    expect(double.gatewayLog.closes).toEqual([expect.objectContaining({ code: 4014, reason: 'Disallowed intent(s).' })]);
    expect(disconnects).toEqual([4014]);
    expect(shardErrors).toEqual(['Used disallowed intents']);

    // Without MessageContent (the privileged one) the same app connects.
    const mentionsOnly = await connect(double, [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
    ]);
    expect(mentionsOnly.isReady()).toBe(true);
    expect(mentionsOnly.application.flags.has('GatewayMessageContentLimited')).toBe(false);
  });

  it('retries a 429 transparently after retry_after', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const limited: number[] = [];
    client.rest.on('rateLimited', (info) => limited.push(info.retryAfter));
    double.rateLimitNext(/^\/channels\/\d+\/messages$/, 250, { method: 'POST' });

    const startedAt = Date.now();
    const sent = await general(client).send('after the limit');
    expect(sent.content).toBe('after the limit');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(240);
    expect(limited).toHaveLength(1);
    expect(limited[0]).toBeGreaterThanOrEqual(250);
    expect(double.requestsTo('POST', /^\/channels\/\d+\/messages$/).map((r) => r.status)).toEqual([429, 200]);
    expect(double.messages(GENERAL).filter((m) => m.content === 'after the limit')).toHaveLength(1);

    double.failNext(/^\/channels\/\d+\/messages$/, 403, { method: 'POST' });
    await expect(general(client).send('denied')).rejects.toMatchObject({ code: 50013, status: 403 });
  });

  it('starts a thread from a message and posts in it', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const received = nextEvent(client, Events.MessageCreate);
    const question = double.sendMessage({ channelId: GENERAL, author: ANN, content: 'long question', mentionsBot: true });
    const [message] = await received;

    const created = nextEvent(client, Events.ThreadCreate);
    const thread = await message.startThread({ name: 'long question' });
    expect(thread.id).toBe(question.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(thread.parentId).toBe(GENERAL);
    // discord.js emits threadCreate from the REST answer (which has no newly_created, so false) and then
    // ignores the gateway's THREAD_CREATE for the thread it already has.
    const [createdThread] = await created;
    expect(createdThread.id).toBe(thread.id);
    expect(double.channel(thread.id)).toMatchObject({ type: ChannelType.PublicThread, owner_id: double.botId, parent_id: GENERAL });
    await thread.send('answer in the thread');
    expect(double.messages(thread.id).map((m) => m.content)).toEqual(['answer in the thread']);

    // A user's message in the thread reaches the bot.
    const inThread = nextEvent(client, Events.MessageCreate, (m: Message) => m.channelId === thread.id && m.author.id === ANN.id);
    double.sendMessage({ channelId: thread.id, author: ANN, content: 'follow-up', mentionsBot: true });
    expect((await inThread)[0].content).toContain('follow-up');
  });

  it('delivers DMs through a partial DM channel and accepts replies there', async () => {
    const double = await start();
    double.addDmChannel({ id: DM, recipient: ANN });
    const client = await connect(double);
    const received = nextEvent(client, Events.MessageCreate);
    double.sendMessage({ channelId: DM, author: ANN, content: 'hello in private' });
    const [message] = await received;
    expect(message.channel.type).toBe(ChannelType.DM);
    expect(message.guildId).toBeNull();
    expect(message.content).toBe('hello in private');
    await message.reply({ content: 'hi!', allowedMentions: { repliedUser: false } });
    expect(double.messages(DM).map((m) => m.content)).toEqual(['hello in private', 'hi!']);
  });
});

describe("DiscordDouble: Discord's rate limits, on by default", () => {
  async function post(double: DiscordDouble, content: string) {
    const res = await fetch(`${double.apiUrl}/v10/channels/${GENERAL}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${double.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }

  it('a channel bucket of 5 messages per 5 s, X-RateLimit-* on every answer, then 429 with retry_after; global limit 50/s', async () => {
    // The default limits on a frozen clock: no window resets while the test runs, however slow the machine.
    const double = await start({ rateLimits: { now: () => 1_800_000_000_000 } });
    double.addGuild(guildSpec());
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(double, `message ${i}`));
    expect(answers.slice(0, 5).map((a) => [a.status, a.headers.get('x-ratelimit-limit'), a.headers.get('x-ratelimit-remaining')])).toEqual([
      [200, '5', '4'],
      [200, '5', '3'],
      [200, '5', '2'],
      [200, '5', '1'],
      [200, '5', '0'],
    ]);
    const limited = answers[5]!;
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ message: 'You are being rate limited.', global: false, code: 0 });
    expect(limited.body.retry_after).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(limited.headers.get('x-ratelimit-bucket')).toBe(answers[0]!.headers.get('x-ratelimit-bucket'));
    expect(Number(limited.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);

    const busy = await DiscordDouble.start({ rateLimits: { globalPerSecond: 3, now: () => 1_800_000_000_000 } });
    busy.addGuild(guildSpec());
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await post(busy, `global ${i}`));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 429]);
    expect(statuses[3]!.body).toMatchObject({ global: true });
    expect(statuses[3]!.headers.get('x-ratelimit-global')).toBe('true');
    await busy.close();
  });

  it('discord.js waits out the bucket: 7 messages sent at once in one channel all arrive, once each', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    await Promise.all(Array.from({ length: 7 }, (_, i) => general(client).send(`burst ${i}`)));
    const posted = double.requestsTo('POST', new RegExp(`^/channels/${GENERAL}/messages$`));
    expect(posted.filter((r) => r.status === 200)).toHaveLength(7);
    expect(new Set(posted.filter((r) => r.status === 200).map((r) => (r.body as { content: string }).content)).size).toBe(7);
  });

  it('components: a click reaches discord.js as a ButtonInteraction, a select as a StringSelectMenuInteraction, a dialog as a ModalSubmitInteraction; 7 updates the message, 9 opens the dialog', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    const channel = (await client.channels.fetch(GENERAL)) as TextChannel;
    const posted = await channel.send({
      content: 'Was this helpful?',
      components: [{ type: 1, components: [{ type: 2, style: 2, custom_id: 'yes', label: 'Yes' }] }],
    });
    // Components are checked as Discord does: a custom_id twice in one message is refused.
    await expect(
      channel.send({
        content: 'x',
        components: [{ type: 1, components: [1, 2].map(() => ({ type: 2, style: 2, custom_id: 'same', label: 'A' })) }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 50035 });

    const click = nextEvent(client, Events.InteractionCreate);
    double.sendComponent({ channelId: GENERAL, messageId: posted.id, customId: 'yes', user: ANN });
    const [button] = await click;
    if (!button.isButton()) throw new Error('expected a button interaction');
    expect(button.message.id).toBe(posted.id);
    await button.update({
      content: 'Why?',
      components: [
        {
          type: 1,
          components: [
            {
              type: 3,
              custom_id: 'why',
              options: [
                { label: 'A', value: 'a' },
                { label: 'B', value: 'b' },
              ],
            },
          ],
        },
      ],
    });
    expect(double.interactionCallback(button.id)?.type).toBe(7);
    expect(double.messages(GENERAL).find((m) => m.id === posted.id)?.content).toBe('Why?');
    expect(() => double.sendComponent({ channelId: GENERAL, messageId: posted.id, customId: 'yes', user: ANN })).toThrow(/no component/);
    expect(() => double.sendComponent({ channelId: GENERAL, messageId: posted.id, customId: 'why', values: ['c'], user: ANN })).toThrow(
      /not a valid choice/,
    );

    const choose = nextEvent(client, Events.InteractionCreate);
    double.sendComponent({ channelId: GENERAL, messageId: posted.id, customId: 'why', values: ['b'], user: ANN });
    const [select] = await choose;
    if (!select.isStringSelectMenu()) throw new Error('expected a select interaction');
    expect(select.values).toEqual(['b']);
    await select.showModal({
      custom_id: 'tell',
      title: 'Tell us',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'text', label: 'What?', style: 2, required: true }] }],
    });
    expect(double.interactionCallback(select.id)?.type).toBe(9);
    expect(() => double.submitModal({ openedBy: select.id, fields: {} })).toThrow(/text input "text"/);

    const submit = nextEvent(client, Events.InteractionCreate);
    double.submitModal({ openedBy: select.id, fields: { text: 'because' } });
    const [modal] = await submit;
    if (!modal.isModalSubmit()) throw new Error('expected a modal submission');
    expect(modal.fields.getTextInputValue('text')).toBe('because');
    expect(modal.isFromMessage() && modal.message.id).toBe(posted.id);
    // A dialog cannot answer a dialog.
    await expect(
      client.rest.post(`/interactions/${modal.id}/${modal.token}/callback`, {
        body: { type: 9, data: { custom_id: 'again', title: 'Again', components: [] } },
        auth: false,
      }),
    ).rejects.toMatchObject({ status: 400 });
    await modal.reply({ content: 'Thanks', flags: MessageFlags.Ephemeral });
    expect(double.interactionCallback(modal.id)).toMatchObject({ type: 4, accepted: true });
  });

  it('message commands: data.target_id and resolved.messages become targetMessage; only registered ones can be run', async () => {
    const double = await start();
    double.addGuild(guildSpec());
    const client = await connect(double);
    await client.application.commands.set([{ type: 3, name: 'Ask about this', name_localizations: { 'zh-CN': '询问这条消息' } }], GUILD);
    expect(double.commands(GUILD)[0]).toMatchObject({ type: 3, description: '', name_localizations: { 'zh-CN': '询问这条消息' } });
    await expect(
      client.application.commands.set([{ type: 3, name: 'X', name_localizations: { zh: 'x' } as never }], GUILD),
    ).rejects.toMatchObject({
      status: 400,
    });
    const said = double.sendMessage({ channelId: GENERAL, author: ANN, content: 'What is the refund window?' });
    expect(() => double.sendMessageCommand({ name: 'Unknown', channelId: GENERAL, targetMessageId: said.id, user: ANN })).toThrow(
      /registered/,
    );
    const event = nextEvent(client, Events.InteractionCreate);
    double.sendMessageCommand({ name: 'Ask about this', channelId: GENERAL, targetMessageId: said.id, user: ANN });
    const [interaction] = await event;
    if (!interaction.isMessageContextMenuCommand()) throw new Error('expected a message context menu command');
    expect(interaction.targetMessage.content).toBe('What is the refund window?');
    expect(interaction.targetId).toBe(said.id);
  });

  it('forum posts: a thread owned by its author whose first message shares its id; the forum itself takes no messages', async () => {
    const FORUM = '1200000000000000005';
    const double = await start();
    double.addGuild(guildSpec({ channels: [...guildSpec().channels, { id: FORUM, name: 'questions', type: ChannelType.GuildForum }] }));
    const client = await connect(double);
    const created = nextEvent(client, Events.ThreadCreate);
    const post = double.createForumPost({ forumId: FORUM, title: 'Refunds?', author: ANN, content: 'How long do refunds take?' });
    const [thread] = await created;
    expect(thread.id).toBe(post.id);
    expect(thread.parentId).toBe(FORUM);
    expect(thread.ownerId).toBe(ANN.id);
    expect((await thread.fetchStarterMessage())?.content).toBe('How long do refunds take?');
    await thread.send('An answer');
    expect(double.messages(post.id).map((m) => m.content)).toEqual(['How long do refunds take?', 'An answer']);
    await expect(client.rest.post(`/channels/${FORUM}/messages`, { body: { content: 'x' } })).rejects.toMatchObject({ status: 400 });
  });
});
