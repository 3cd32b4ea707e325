import {
  InteractionContextType,
  REST,
  Routes,
  SlashCommandBuilder,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Settings } from '../../config.js';
import { CitebotError } from '../../errors.js';
import { discordError } from './discord-errors.js';

/** citebot's slash commands, as registered with Discord. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const contexts = [InteractionContextType.Guild, InteractionContextType.BotDM];
  return [
    new SlashCommandBuilder()
      .setName('ask')
      .setDescription('Ask the files shared in this channel')
      .setContexts(contexts)
      .addStringOption((o) => o.setName('question').setDescription('What do you want to know?').setRequired(true).setMaxLength(1500))
      .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer'))
      .toJSON(),
    new SlashCommandBuilder()
      .setName('ingest')
      .setDescription("Index this channel's messages, threads and attached files")
      .setContexts(contexts)
      .addStringOption((o) => o.setName('file').setDescription('Only this attachment (file name)'))
      .addBooleanOption((o) => o.setName('full').setDescription('Read the whole history again, not just what is new'))
      .addBooleanOption((o) => o.setName('files').setDescription('Only files, not the conversation'))
      .toJSON(),
    new SlashCommandBuilder()
      .setName('sources')
      .setDescription('List the files citebot has indexed in this channel')
      .setContexts(contexts)
      .toJSON(),
    new SlashCommandBuilder()
      .setName('forget')
      .setDescription('Remove an indexed file from this channel (its uploader, or Manage Messages)')
      .setContexts(contexts)
      .addStringOption((o) =>
        o.setName('file').setDescription('File name, as /sources shows it; "messages" for the conversation').setRequired(true),
      )
      .toJSON(),
  ];
}

/**
 * Registers the commands: in one guild (visible at once, for trying citebot out) or globally
 * (every guild and DMs; Discord may take a while to show them). Returns the command names.
 */
export async function registerCommands(settings: Settings, guildId?: string): Promise<{ applicationId: string; names: string[] }> {
  if (!settings.DISCORD_TOKEN)
    throw new CitebotError('invalid_settings', 'DISCORD_TOKEN is not set', { fix: 'set it to your bot token (README: "Discord")' });
  const rest = new REST({ api: settings.DISCORD_API_URL }).setToken(settings.DISCORD_TOKEN);
  try {
    const application = (await rest.get(Routes.currentApplication())) as { id: string };
    const route = guildId ? Routes.applicationGuildCommands(application.id, guildId) : Routes.applicationCommands(application.id);
    const registered = (await rest.put(route, { body: commandDefinitions() })) as { name: string }[];
    return { applicationId: application.id, names: registered.map((c) => c.name) };
  } catch (failure) {
    const error = discordError(failure, settings.DISCORD_API_URL);
    if (error.code !== 'platform_unavailable') throw error;
    throw new CitebotError('platform_unavailable', `Discord is ${error.reason}`, {
      fix: 'check the network connection (or DISCORD_API_URL) and run the command again',
      cause: failure,
    });
  }
}
