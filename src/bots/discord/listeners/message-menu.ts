import { type Client, Events, type Message, type MessageContextMenuCommandInteraction } from 'discord.js';
import { channelLanguage } from '../../../app/channels.js';
import { oneLine } from '../../../errors.js';
import { log } from '../../../log.js';
import { detectLanguage, messages } from '../../../messages/index.js';
import { answerQuestion } from '../../common/answer-flow.js';
import { failureMessage } from '../../common/failure-message.js';
import { DiscordAnswerSurface } from '../answer-surface.js';
import { messageFiles } from '../channel-files.js';
import type { DiscordContext } from '../discord-context.js';
import { ingestMessageFiles } from '../ingest-run.js';
import { InteractionTarget } from '../posted-message.js';
import { threadHistory } from '../thread-history.js';
import { interactionScope } from './interaction-create.js';

/** The entries' registered (English) names: what Discord sends back in data.name whatever the user's locale. */
const ASK = messages('en').discord.askAboutMessage;
const INDEX = messages('en').discord.indexAttachments;

/**
 * The message context menu: "Ask citebot about this" answers the message's text with its reply chain
 * or thread as the conversation so far; "Index attachments" indexes the message's files as a share
 * would. Both read and write the scope of the channel the message is in (a thread's parent).
 */
export function registerMessageMenuListener(client: Client, context: DiscordContext): void {
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isMessageContextMenuCommand()) return;
    if (interaction.commandName !== ASK && interaction.commandName !== INDEX) return;
    void handleMenu(context, interaction).catch(async (error: unknown) => {
      log.error(`discord "${interaction.commandName}" failed: ${oneLine(error)}`);
      const language = await channelLanguage(context.core, interactionScope(interaction)).catch(() => 'en' as const);
      const content = failureMessage(error, { command: interaction.commandName }, language);
      await new InteractionTarget(interaction)
        .show(content)
        .catch((shown: unknown) => log.warn(`discord: could not show the failure to the user: ${oneLine(shown)}`));
    });
  });
}

async function handleMenu(context: DiscordContext, interaction: MessageContextMenuCommandInteraction): Promise<void> {
  const scope = interactionScope(interaction);
  const target = new InteractionTarget(interaction);
  await target.defer();
  const message = interaction.targetMessage;
  if (interaction.commandName === INDEX) {
    const none = messages(await channelLanguage(context.core, scope)).discord.noAttachments;
    return ingestMessageFiles(context, target, messageFiles(message, context.core.settings), scope, none);
  }
  await askAbout(context, target, interaction, message, scope);
}

/** The message's text is the question; what led to it (reply chain, or the thread so far) is the history. */
async function askAbout(
  context: DiscordContext,
  target: InteractionTarget,
  interaction: MessageContextMenuCommandInteraction,
  message: Message,
  scope: string,
): Promise<void> {
  const question = message.cleanContent.trim();
  const language = question ? detectLanguage(question) : await channelLanguage(context.core, scope);
  const m = messages(language).discord;
  if (!question) return target.show(m.nothingToAskAbout);
  let history;
  try {
    history = await threadHistory(message, context.botId);
  } catch (error) {
    log.warn(`conversation history unavailable, answering without it: ${oneLine(error)}`);
  }
  // The heading links the message asked about, so the answer is read next to it.
  const heading = `-# ${m.askedAbout(interaction.user.username)}: ${message.url}`;
  await answerQuestion(context.core, { question, scope, askedBy: interaction.user.id, history }, new DiscordAnswerSurface(target, heading));
}
