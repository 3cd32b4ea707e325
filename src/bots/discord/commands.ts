import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  Locale,
  REST,
  Routes,
  SlashCommandBuilder,
  type LocalizationMap,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { Settings } from '../../config.js';
import { CitebotError } from '../../errors.js';
import { LANGUAGES, messages, type Language, type Messages } from '../../messages/index.js';
import type { DiscordCommandName } from '../../messages/catalogue.js';
import { discordError } from './discord-errors.js';

/** The Discord locales each catalogue language is shown in (the English texts are also the defaults). */
const LOCALES: Record<Language, Locale[]> = { en: [Locale.EnglishUS], zh: [Locale.ChineseCN] };

/** A text in every catalogue language, keyed by Discord locale. */
function localized(text: (m: Messages) => string): LocalizationMap {
  return Object.fromEntries(LANGUAGES.flatMap((language) => LOCALES[language].map((locale) => [locale, text(messages(language))])));
}

type Localizable = {
  setName(name: string): unknown;
  setDescription(description: string): unknown;
  setNameLocalizations(map: LocalizationMap): unknown;
  setDescriptionLocalizations(map: LocalizationMap): unknown;
};

/** Name and description of a command (or one of its options) from the catalogue, in English and localized. */
function named<T extends Localizable>(builder: T, command: DiscordCommandName, option?: string): T {
  const pick = (m: Messages) => {
    const c = m.discord.commands[command];
    return option ? c.options[option]! : c;
  };
  builder.setName(pick(messages('en')).name);
  builder.setDescription(pick(messages('en')).description);
  builder.setNameLocalizations(localized((m) => pick(m).name));
  builder.setDescriptionLocalizations(localized((m) => pick(m).description));
  return builder;
}

/** citebot's slash commands and message context-menu entries, as registered with Discord. */
export function commandDefinitions(): RESTPostAPIApplicationCommandsJSONBody[] {
  const contexts = [InteractionContextType.Guild, InteractionContextType.BotDM];
  return [
    named(new SlashCommandBuilder(), 'ask')
      .setContexts(contexts)
      .addStringOption((o) => named(o, 'ask', 'question').setRequired(true).setMaxLength(1500))
      .addBooleanOption((o) => named(o, 'ask', 'private'))
      .toJSON(),
    named(new SlashCommandBuilder(), 'ingest')
      .setContexts(contexts)
      .addStringOption((o) => named(o, 'ingest', 'file'))
      .addBooleanOption((o) => named(o, 'ingest', 'full'))
      .addBooleanOption((o) => named(o, 'ingest', 'files'))
      .toJSON(),
    named(new SlashCommandBuilder(), 'sources').setContexts(contexts).toJSON(),
    named(new SlashCommandBuilder(), 'forget')
      .setContexts(contexts)
      .addStringOption((o) => named(o, 'forget', 'file').setRequired(true))
      .toJSON(),
    ...[(m: Messages) => m.discord.askAboutMessage, (m: Messages) => m.discord.indexAttachments].map((entry) =>
      new ContextMenuCommandBuilder()
        .setType(ApplicationCommandType.Message)
        .setName(entry(messages('en')))
        .setNameLocalizations(localized(entry))
        .setContexts(contexts)
        .toJSON(),
    ),
  ];
}

/**
 * Registers the commands: in one guild (visible at once, for trying citebot out) or globally
 * (every guild and DMs; Discord may take a while to show them). Returns the slash commands' and message menu entries' names.
 */
export async function registerCommands(
  settings: Settings,
  guildId?: string,
): Promise<{ applicationId: string; names: string[]; menus: string[] }> {
  if (!settings.DISCORD_TOKEN)
    throw new CitebotError('invalid_settings', 'DISCORD_TOKEN is not set', { fix: 'set it to your bot token (README: "Discord")' });
  const rest = new REST({ api: settings.DISCORD_API_URL }).setToken(settings.DISCORD_TOKEN);
  try {
    const application = (await rest.get(Routes.currentApplication())) as { id: string };
    const route = guildId ? Routes.applicationGuildCommands(application.id, guildId) : Routes.applicationCommands(application.id);
    const registered = (await rest.put(route, { body: commandDefinitions() })) as { name: string; type: number }[];
    const of = (type: ApplicationCommandType) => registered.filter((c) => c.type === type).map((c) => c.name);
    return { applicationId: application.id, names: of(ApplicationCommandType.ChatInput), menus: of(ApplicationCommandType.Message) };
  } catch (failure) {
    const error = discordError(failure, settings.DISCORD_API_URL);
    if (error.code !== 'platform_unavailable') throw error;
    throw new CitebotError('platform_unavailable', `Discord is ${error.reason}`, {
      fix: 'check the network connection (or DISCORD_API_URL) and run the command again',
      cause: failure,
    });
  }
}
