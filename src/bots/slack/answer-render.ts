import type { types } from '@slack/bolt';
import { alsoRelevantLabel } from '../../chains/closest-label.js';
import type { Answer, Citation } from '../../chains/types.js';
import { splitMessage } from '../common/split-message.js';
import { escapeMrkdwn, toMrkdwn } from './mrkdwn.js';
import { messages as catalogue } from '../../messages/index.js';

type KnownBlock = types.KnownBlock;

/** Slack's limits: a section's text, blocks per message, elements in a context block. */
export const SECTION_LIMIT = 3000;
export const BLOCK_LIMIT = 50;
const CONTEXT_ELEMENTS = 10;

/** The feedback_buttons element; its values are `up:<answer id>` and `down:<answer id>`. */
export const FEEDBACK_ACTION = 'citebot_feedback';
/** The classic 👍/👎 buttons of answers posted before feedback_buttons (value: the answer id): still handled. */
export const FEEDBACK_UP = 'citebot_feedback_up';
export const FEEDBACK_DOWN = 'citebot_feedback_down';

export interface SlackPayload {
  /** Plain fallback text: notifications, screen readers, clients without blocks. */
  text: string;
  blocks: KnownBlock[];
}

/** `[1] <permalink|report.pdf> · p. 3` */
export function sourceMrkdwn(c: Citation): string {
  const name = escapeMrkdwn(c.source).replace(/\|/gu, '/');
  const link = /^https?:\/\//u.test(c.url) ? `<${c.url}|${name}>` : name;
  return `[${c.n}] ${link}${c.location ? ` · ${escapeMrkdwn(c.location)}` : ''}`;
}

function contextBlocks(lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < lines.length; i += CONTEXT_ELEMENTS) {
    blocks.push({
      type: 'context',
      elements: lines.slice(i, i + CONTEXT_ELEMENTS).map((text) => ({ type: 'mrkdwn', text: text.slice(0, SECTION_LIMIT) })),
    });
  }
  return blocks;
}

export function textMessage(text: string): SlackPayload {
  return { text, blocks: splitMessage(text, SECTION_LIMIT).map((part) => ({ type: 'section', text: { type: 'mrkdwn', text: part } })) };
}

/** While the answer is being written: the text so far, in sections. */
export function partialMessage(partial: string, heading?: string): SlackPayload {
  const body = toMrkdwn(partial) + ' …';
  const blocks = splitMessage(body, SECTION_LIMIT).map((part): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: part } }));
  return { text: partial.slice(0, 3000), blocks: [...(heading ? contextBlocks([heading]) : []), ...blocks].slice(0, BLOCK_LIMIT) };
}

/**
 * The final answer as messages: the text in sections (split under 3,000 characters, never inside a
 * citation), the sources in a context block, notes, and Slack's feedback buttons (👍/👎) carrying the
 * stored answer's id. More than 50 blocks continue in further messages (the buttons go on the last).
 */
export function answerMessages(answer: Answer, answerId: string, heading?: string): SlackPayload[] {
  const sections = splitMessage(toMrkdwn(answer.answer), SECTION_LIMIT).map((part): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: part },
  }));
  const sourceLines = answer.citations.map(sourceMrkdwn);
  const alsoLines = answer.alsoRelevant.map(sourceMrkdwn);
  const blocks: KnownBlock[] = [...(heading ? contextBlocks([heading]) : []), ...sections];
  const { labels, feedbackDialog } = catalogue(answer.language);
  if (sourceLines.length) blocks.push(...contextBlocks([`*${labels.sources}*`, ...sourceLines]));
  if (alsoLines.length) blocks.push(...contextBlocks([`*${alsoRelevantLabel(labels, answer)}*`, ...alsoLines]));
  if (answer.degraded?.length) blocks.push(...contextBlocks(answer.degraded.map((note) => `_${escapeMrkdwn(note.message)}_`)));
  if (!answer.noEvidence) {
    blocks.push({
      type: 'context_actions',
      block_id: 'citebot_feedback',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: FEEDBACK_ACTION,
          positive_button: {
            text: { type: 'plain_text', text: '👍' },
            accessibility_label: feedbackDialog.helpful,
            value: `up:${answerId}`,
          },
          negative_button: {
            text: { type: 'plain_text', text: '👎' },
            accessibility_label: feedbackDialog.notHelpful,
            value: `down:${answerId}`,
          },
        },
      ],
    });
  }
  const fallback = [answer.answer, ...answer.citations.map((c) => `[${c.n}] ${c.source}${c.location ? ` · ${c.location}` : ''}`)].join(
    '\n',
  );
  const messages: SlackPayload[] = [];
  for (let i = 0; i < blocks.length; i += BLOCK_LIMIT) {
    messages.push({ text: messages.length === 0 ? fallback.slice(0, 3900) : labels.continued, blocks: blocks.slice(i, i + BLOCK_LIMIT) });
  }
  return messages;
}
