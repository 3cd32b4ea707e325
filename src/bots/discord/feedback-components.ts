import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
} from 'discord.js';
import { messages, type Language } from '../../messages/index.js';
import { FEEDBACK_REASONS, type FeedbackReasonKind, type Rating } from '../../store/ports.js';

/** Message components as sent with a message (JSON, as discord.js passes them on). */
export type MessageComponents = APIActionRowComponent<APIComponentInMessageActionRow>[];

/**
 * Custom ids carry everything a click needs (Discord hands back only the id): which step, and the
 * stored answer's id. `citebot:fb:up:<answer>`, `citebot:fb:down:<answer>`, `citebot:fbr:<answer>`
 * (the reason select), `citebot:fbo:<answer>` (the "other" dialog). At most 100 characters.
 */
const PREFIX = 'citebot:';
/** The text field of the "other" dialog. */
export const OTHER_REASON_FIELD = 'text';

export type FeedbackStep =
  { step: 'rate'; rating: Rating; answerId: string } | { step: 'reason'; answerId: string } | { step: 'other'; answerId: string };

export function parseFeedbackId(customId: string): FeedbackStep | undefined {
  const [prefix, kind, ...rest] = customId.split(':');
  if (`${prefix}:` !== PREFIX) return undefined;
  if (kind === 'fb' && (rest[0] === 'up' || rest[0] === 'down') && rest[1]) return { step: 'rate', rating: rest[0], answerId: rest[1] };
  if (kind === 'fbr' && rest[0]) return { step: 'reason', answerId: rest[0] };
  if (kind === 'fbo' && rest[0]) return { step: 'other', answerId: rest[0] };
  return undefined;
}

/** 👍/👎 under an answer, labelled in the question's language. */
export function feedbackButtons(answerId: string, language: Language): MessageComponents {
  const m = messages(language).discord;
  const button = (rating: Rating, emoji: string, label: string) =>
    new ButtonBuilder().setCustomId(`${PREFIX}fb:${rating}:${answerId}`).setStyle(ButtonStyle.Secondary).setEmoji(emoji).setLabel(label);
  return [new ActionRowBuilder<ButtonBuilder>().addComponents(button('up', '👍', m.helpful), button('down', '👎', m.notHelpful)).toJSON()];
}

/** After a 👎: one choice among FEEDBACK_REASONS. */
export function reasonSelect(answerId: string, language: Language): MessageComponents {
  const m = messages(language).discord;
  const select = new StringSelectMenuBuilder()
    .setCustomId(`${PREFIX}fbr:${answerId}`)
    .setPlaceholder(m.whatWentWrong)
    .addOptions(FEEDBACK_REASONS.map((kind) => ({ label: m.reasons[kind], value: kind })));
  return [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(select).toJSON()];
}

export function isReasonKind(value: string | undefined): value is FeedbackReasonKind {
  return (FEEDBACK_REASONS as readonly string[]).includes(value ?? '');
}

/** "Something else…": a dialog with one text field. */
export function otherReasonModal(answerId: string, language: Language): ModalBuilder {
  const m = messages(language).discord;
  const input = new TextInputBuilder()
    .setCustomId(OTHER_REASON_FIELD)
    .setLabel(m.otherLabel)
    .setStyle(TextInputStyle.Paragraph)
    .setMaxLength(1000)
    .setRequired(true);
  return new ModalBuilder()
    .setCustomId(`${PREFIX}fbo:${answerId}`)
    .setTitle(m.otherTitle)
    .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
}
