import {
  type ButtonInteraction,
  type Client,
  Events,
  MessageFlags,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { rateAnswer } from '../../../app/feedback.js';
import { oneLine } from '../../../errors.js';
import { log } from '../../../log.js';
import { detectLanguage, messages, type Language } from '../../../messages/index.js';
import type { DiscordContext } from '../discord-context.js';
import {
  isReasonKind,
  OTHER_REASON_FIELD,
  otherReasonModal,
  parseFeedbackId,
  reasonSelect,
  type FeedbackStep,
} from '../feedback-components.js';
import { NO_MENTIONS } from '../posted-message.js';

type FeedbackInteraction = ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

/**
 * 👍/👎 under an answer. A 👍 is stored at once; a 👎 too, and then offers what went wrong (a select
 * only the clicker sees; "something else" opens a dialog), which is stored with it. Every step
 * answers Discord within its 3 seconds and only the clicker sees the replies.
 */
export function registerFeedbackListener(client: Client, context: DiscordContext): void {
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isButton() && !interaction.isStringSelectMenu() && !interaction.isModalSubmit()) return;
    const step = parseFeedbackId(interaction.customId);
    if (!step) return;
    void handleFeedback(context, interaction, step).catch((error: unknown) =>
      log.warn(`discord: feedback on ${step.answerId} not handled: ${oneLine(error)}`),
    );
  });
}

async function handleFeedback(context: DiscordContext, interaction: FeedbackInteraction, step: FeedbackStep): Promise<void> {
  const { core } = context;
  const stored = await core.state.answers.get(step.answerId);
  const language: Language = stored ? detectLanguage(stored.question) : 'en';
  const m = messages(language);
  const say = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  if (!stored) return void (await say(m.feedback.answerGone));
  const user = interaction.user.id;

  if (step.step === 'rate' && interaction.isButton()) {
    await rateAnswer(core, step.answerId, user, step.rating);
    if (step.rating === 'up') return void (await say(m.feedback.thanksHelpful));
    return void (await interaction.reply({
      content: m.discord.whatWentWrong,
      components: reasonSelect(step.answerId, language),
      flags: MessageFlags.Ephemeral,
    }));
  }
  if (step.step === 'reason' && interaction.isStringSelectMenu()) {
    const kind = interaction.values[0];
    if (!isReasonKind(kind)) return;
    if (kind === 'other') return void (await interaction.showModal(otherReasonModal(step.answerId, language)));
    await rateAnswer(core, step.answerId, user, 'down', { kind });
    return void (await interaction.update({ content: m.feedback.thanksNoted, components: [] }));
  }
  if (step.step === 'other' && interaction.isModalSubmit()) {
    const text = interaction.fields.getTextInputValue(OTHER_REASON_FIELD);
    await rateAnswer(core, step.answerId, user, 'down', { kind: 'other', text });
    // The dialog was opened from the reasons' message: that message becomes the thanks.
    if (interaction.isFromMessage()) return void (await interaction.update({ content: m.feedback.thanksNoted, components: [] }));
    await say(m.feedback.thanksNoted);
  }
}
