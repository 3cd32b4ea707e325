import { channelLanguage } from '../../../app/channels.js';
import {
  type ChatInputCommandInteraction,
  type Client,
  type CommandInteraction,
  Events,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import { oneLine } from '../../../errors.js';
import { log } from '../../../log.js';
import type { DocumentEntry } from '../../../store/ledger.js';
import { answerQuestion } from '../../common/answer-flow.js';
import { failureMessage } from '../../common/failure-message.js';
import { forgetConversation } from '../../../app/conversation-sync.js';
import { forgetDocument } from '../../../app/forget.js';
import { readableSources } from '../../../app/sources.js';
import { DiscordAnswerSurface } from '../answer-surface.js';
import type { DiscordContext } from '../discord-context.js';
import { queueChannelIngest } from '../ingest-run.js';
import { InteractionTarget, NO_MENTIONS } from '../posted-message.js';
import { discordScope } from '../scope.js';
import { detectLanguage, messages, type Messages } from '../../../messages/index.js';

/** The scope of the channel a command was used in (a thread's parent channel). */
export function interactionScope(interaction: CommandInteraction): string {
  const channel = interaction.channel;
  const channelId = channel?.isThread() ? (channel.parentId ?? channel.id) : interaction.channelId;
  return discordScope(interaction.guildId, channelId);
}

const MAX_LISTED = 30;

function documentLine(d: DocumentEntry, m: Messages): string {
  const name = d.source.replace(/[[\]]/gu, '');
  const link = /^https?:\/\//u.test(d.url) ? `[${name}](<${d.url}>)` : name;
  return `- ${link} · ${d.status === 'indexed' ? m.sources.passages(d.chunkCount) : `${d.status}${d.error ? `: ${d.error}` : ''}`}`;
}

/**
 * /ask, /ingest, /sources, /forget. Each acknowledges first (deferReply within Discord's 3 seconds)
 * and then works; every failure ends as a short reply.
 */
export function registerInteractionListener(client: Client, context: DiscordContext): void {
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    void handleCommand(context, interaction).catch(async (error: unknown) => {
      log.error(`discord /${interaction.commandName} failed: ${oneLine(error)}`);
      // Telling the user may fail too (citebot shutting down, Discord unreachable): never as an unhandled rejection.
      await replyFailure(context, interaction, error).catch((shown: unknown) =>
        log.warn(`discord: could not show the failure to the user: ${oneLine(shown)}`),
      );
    });
  });
}

async function replyFailure(context: DiscordContext, interaction: ChatInputCommandInteraction, error: unknown): Promise<void> {
  const language = await channelLanguage(context.core, interactionScope(interaction));
  const content = failureMessage(error, { command: interaction.commandName }, language);
  await (interaction.deferred || interaction.replied
    ? interaction.editReply({ content, allowedMentions: NO_MENTIONS })
    : interaction.reply({ content, flags: MessageFlags.Ephemeral }));
}

async function handleCommand(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const scope = interactionScope(interaction);
  switch (interaction.commandName) {
    case 'ask': {
      const target = new InteractionTarget(interaction, interaction.options.getBoolean('private') ?? false);
      await target.defer();
      const question = interaction.options.getString('question', true).trim();
      // Discord requires the option, but spaces pass: answer with usage, never a model call.
      if (!question) return target.show(messages(await channelLanguage(context.core, scope)).help.discordAskUsage);
      const heading = `-# ${messages(detectLanguage(question)).answer.asked(interaction.user.username, question.replace(/\n/gu, ' '))}`;
      await answerQuestion(context.core, { question, scope, askedBy: interaction.user.id }, new DiscordAnswerSurface(target, heading));
      return;
    }
    case 'ingest': {
      const target = new InteractionTarget(interaction);
      await target.defer();
      if (!interaction.channel) return target.show(messages(await channelLanguage(context.core, scope)).ingest.discordCannotReadChannel);
      await queueChannelIngest(context, target, interaction.channel, {
        scope,
        channelId: interaction.channelId,
        file: interaction.options.getString('file') ?? undefined,
        full: interaction.options.getBoolean('full') ?? false,
        filesOnly: interaction.options.getBoolean('files') ?? false,
        reply: { applicationId: interaction.applicationId, token: interaction.token },
      });
      return;
    }
    case 'sources':
      return listSources(context, interaction, scope);
    case 'forget':
      return forget(context, interaction, scope);
    default:
      await interaction.reply({
        content: messages(await channelLanguage(context.core, scope)).help.unknownCommand(interaction.commandName),
        flags: MessageFlags.Ephemeral,
      });
  }
}

async function listSources(context: DiscordContext, interaction: ChatInputCommandInteraction, scope: string): Promise<void> {
  const lines: string[] = [];
  const m = messages(await channelLanguage(context.core, scope));
  const groups = await readableSources(context.core, scope);
  for (const { scope: s, own, documents: docs, conversationDocuments } of groups) {
    lines.push(`**${own ? m.sources.ownHeading(docs.length) : m.sources.sharedHeading(s, docs.length)}**`);
    if (conversationDocuments) lines.push(`- ${m.sources.conversation(conversationDocuments, '/forget file:messages')}`);
    lines.push(...docs.slice(0, MAX_LISTED).map((d) => documentLine(d, m)));
    if (docs.length > MAX_LISTED) lines.push(`- ${m.sources.more(docs.length - MAX_LISTED)}`);
  }
  if (groups[0]!.documents.length === 0) lines.push(m.sources.discordNothingIndexed);
  const content = lines.join('\n');
  await interaction.reply({
    content: content.length > 2000 ? content.slice(0, 1990) + '\n…' : content,
    flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds,
    allowedMentions: NO_MENTIONS,
  });
}

async function forget(context: DiscordContext, interaction: ChatInputCommandInteraction, scope: string): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const target = interaction.options.getString('file', true).trim();
  if (/^messages$/iu.test(target)) {
    const removed = await forgetConversation(context.core, scope);
    return void (await interaction.editReply(
      `Removed this channel's messages from citebot's index (${removed.documents} threads and days, ${removed.chunks} passages); new messages are no longer followed. \`/ingest\` indexes them again.`,
    ));
  }
  const moderator = async () => interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false;
  const outcome = await forgetDocument(context.core, { scope, target, requester: { userId: interaction.user.id, mayModerate: moderator } });
  const m = messages(await channelLanguage(context.core, scope)).forget;
  if (outcome.kind === 'not_found') return void (await interaction.editReply(m.notFound(target)));
  if (outcome.kind === 'ambiguous')
    return void (await interaction.editReply({
      content: [m.discordAmbiguous(outcome.candidates.length, target), ...outcome.candidates.map((d) => `- \`${d.docId}\` ${d.url}`)].join(
        '\n',
      ),
      allowedMentions: NO_MENTIONS,
    }));
  if (outcome.kind === 'refused') return void (await interaction.editReply(m.discordRefused(outcome.source)));
  await interaction.editReply({
    content: m.discordRemoved(outcome.source, outcome.chunks),
    allowedMentions: NO_MENTIONS,
  });
}
