import type { Messages } from './catalogue.js';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export const en = {
  language: {
    name: 'English',
    wordUnits: (text) => text.match(/\p{Script=Latin}+/gu)?.length ?? 0,
  },
  answer: {
    noFilesIndexed: 'No files are indexed here yet, so there is nothing to answer from.',
    notCovered: "The files shared here don't cover this.",
    notCoveredClosest: (files) => `The files shared here don't cover this. The closest files are ${files.join(', ')}.`,
    notCoveredClosestSources: (sources) => `What was shared here doesn't cover this. The closest sources are ${sources.join(', ')}.`,
    modelUnavailable: 'The language model is unavailable; here are the most relevant passages:',
    asked: (who, question) => `${who} asked: ${question}`,
  },
  labels: {
    sources: 'Sources',
    alsoRelevant: 'Also relevant',
    closestFiles: 'Closest files',
    closestSources: 'Closest sources',
    continued: '(continued)',
  },
  placeholders: {
    searching: (where) => `Searching the files shared in ${where}…`,
    thinking: 'Thinking…',
    thisConversation: 'this conversation',
  },
  feedback: {
    thanksHelpful: 'Thanks — glad it helped.',
    thanksNoted: 'Thanks — noted. The question, answer and sources are saved for review.',
    answerGone: 'That answer is no longer on record.',
  },
  failure: {
    doing: {
      answer: 'answer this',
      ingest: 'index the files',
      forget: 'remove the file',
      ingestMessages: 'index the messages',
      forgetMessages: 'remove the messages',
      command: (name) => `run /${name}`,
    },
    withReason: (doing, reason) => `⚠️ citebot could not ${doing}: ${reason}`,
    withDoctor: (doing, reason) => `⚠️ citebot could not ${doing}: ${reason} An admin can run \`citebot doctor\`.`,
    unreachable: (doing) => `⚠️ citebot could not ${doing}: a service it needs is not reachable. An admin can run \`citebot doctor\`.`,
    internal: (doing) => `⚠️ citebot could not ${doing} because of an internal error. It has been logged; try again in a moment.`,
    keptIndexed: 'Files indexed before this are kept.',
    keptMessages: 'Messages indexed before this are kept; `/ingest` continues from there.',
  },
  ingest: {
    slackUsage:
      '*Usage:* `/ingest` indexes the files shared in this channel (only new or changed ones on later runs).\n' +
      "It also indexes the channel's messages and threads (then follows edits and deletions); `/ingest files` indexes files only.\n" +
      '`/ingest <file link or name>` indexes one file. `/ingest auto on|off` indexes files as they are shared.',
    lookingForFiles: (where) => `Looking for files shared in ${where}…`,
    queued: 'Another ingest is running in this channel; these files are queued and will be indexed right after it.',
    autoOn: 'Auto-ingest is *on*: files shared in this channel are indexed as they arrive.',
    autoOff: 'Auto-ingest is *off*: run `/ingest` to index new files.',
    noFileMatching: (name) => `No file matching “${name}” is shared in this channel.`,
    found: (count) => `Found ${plural(count, 'file', 'files')}; indexing…`,
    progress: (done, total) => `Indexed ${done}/${total}`,
    reading: (name) => ` · reading ${name}`,
    problem: (source, reason, status) => ` · ${source}: ${reason}, ${status}`,
    nothingToIndex:
      'No files to index in this channel: share some (PDF, Word, PowerPoint, Excel, CSV, HTML, Markdown, text), then run this again.',
    summary: ({ files, indexed, updated, unchanged, notIndexed, passages }) => {
      const parts = [
        indexed && `${indexed} new`,
        updated && `${updated} updated`,
        unchanged && `${unchanged} unchanged`,
        notIndexed && `${notIndexed} not indexed`,
      ].filter(Boolean);
      return `${plural(files, 'file', 'files')}: ${parts.join(', ')}${passages ? ` (${passages} passages added)` : ''}.`;
    },
    problemLine: (source, reason, status) => `• ${source}: ${reason} (${status})`,
    more: (count) => `• … and ${count} more`,
    readingMessages: (count) => `Reading this channel’s messages…${count === undefined ? '' : ` ${count.toLocaleString('en-US')}`}`,
    conversationSummary: ({ messages, documents, total, historyDays }) => {
      const indexed = `${total.toLocaleString('en-US')} message${total === 1 ? '' : 's'} indexed in this channel`;
      if (messages === 0 && historyDays !== undefined)
        return `Conversation: no messages in the last ${plural(historyDays, 'day', 'days')} (SLACK_HISTORY_DAYS=${historyDays}); to read further back, raise SLACK_HISTORY_DAYS and run /ingest again.`;
      if (messages === 0) return `Conversation: no new messages; ${indexed}.`;
      return `Conversation: ${messages.toLocaleString('en-US')} new message${messages === 1 ? '' : 's'} (${documents} thread/day document${documents === 1 ? '' : 's'} written); ${indexed}.`;
    },
    slackConversationNotReadable:
      'Conversation not indexed: citebot can read only the channels it is a member of (invite it with `/invite @citebot`, then run `/ingest` again).',
    discordReadingHistory: (since) => `Reading this channel's history${since ? ' since the last /ingest' : ''}…`,
    discordNoAttachmentNamed: (name) => `No attachment named “${name}” in this channel's recent history.`,
    discordNoNewAttachments: (indexed) =>
      `No new attachments since the last /ingest (${indexed} files are indexed here; \`/sources\` lists them, \`/ingest full:true\` re-reads everything).`,
    discordHistoryLimited: (scanned) =>
      `Read the latest ${scanned} messages (DISCORD_HISTORY_LIMIT); older attachments were not looked at.`,
    discordAttachHelp:
      'Attach files to the message (or reply to a message with attachments) and mention me with `ingest`; or use `/ingest` for the whole channel.',
    discordCannotReadChannel: 'citebot cannot read this channel: give it View Channel and Read Message History here.',
  },
  sources: {
    ownHeading: (count) => `Files indexed in this channel (${count})`,
    sharedHeading: (scope, count) => `Shared with this channel from ${scope} (${count})`,
    passages: (count) => plural(count, 'passage', 'passages'),
    more: (count) => `… and ${count} more`,
    slackNothingIndexed: 'Nothing is indexed here yet: run `/ingest` to index the files shared in this channel.',
    discordNothingIndexed: 'Nothing is indexed here yet: run `/ingest` to index the files attached in this channel.',
    conversation: (documents, forget) => `Conversation: ${documents} threads and days of messages (\`${forget}\` removes them)`,
  },
  forget: {
    slackUsage: '*Usage:* `/forget <file name or link>` removes an indexed file from this channel. See `/sources`.',
    notFound: (name) => `No indexed file “${name}” in this channel. See \`/sources\`.`,
    slackAmbiguous: (count, name) => `${count} indexed files are called “${name}” here; run \`/forget\` with one of their links or ids:`,
    discordAmbiguous: (count, name) => `${count} indexed files are called “${name}” here; run \`/forget\` with one of their ids:`,
    slackRefused: (source) => `Only the person who shared “${source}” or a workspace admin can remove it from citebot.`,
    discordRefused: (source) => `Only the person who shared “${source}” or a member with Manage Messages can remove it from citebot.`,
    slackRemoved: (source, passages) =>
      `Removed “${source}” from citebot’s index for this channel (${passages} passages). The file itself is untouched in Slack.`,
    discordRemoved: (source, passages) =>
      `Removed “${source}” from citebot's index for this channel (${passages} passages). The message and its attachment are untouched.`,
    slackMessagesUsage:
      '*Usage:* `/forget <file name or link>` removes an indexed file from this channel (`/forget messages`: its conversation). See `/sources`.',
    messagesRemoved: (documents, passages) =>
      `Removed this channel’s messages from citebot’s index (${documents} threads and days, ${passages} passages); new messages are no longer followed. \`/ingest\` indexes them again.`,
  },
  help: {
    slackMention: 'Ask me about the files shared here: `@citebot what does the spec say about limits?` (index them first with `/ingest`).',
    discordMention:
      'Ask me about the files shared here: `@citebot what does the spec say about limits?` Index them first with `/ingest` (or mention me with `ingest` on a message with attachments).',
    slackAskUsage:
      '*Usage:* `/ask <question>` — answered from the files shared in this channel, with numbered sources.\n' +
      '`/ask -p <question>` answers only you.\n' +
      'Index the channel’s files first with `/ingest`; see what is indexed with `/sources`.',
    discordAskUsage: 'Usage: `/ask question: what does the spec say about limits?` (files indexed here with `/ingest` are searched)',
    unknownCommand: (name) => `Unknown command /${name}.`,
  },
  // h23discord: Discord's feedback components, localized commands and message context menus.
  discord: {
    helpful: 'Helpful',
    notHelpful: 'Not helpful',
    whatWentWrong: 'Thanks. What went wrong?',
    reasons: {
      'wrong-source': 'It cited the wrong source',
      'not-in-files': "The answer isn't in the files",
      'wrong-language': 'It answered in the wrong language',
      other: 'Something else…',
    },
    otherTitle: 'What went wrong?',
    otherLabel: 'In a few words',
    commands: {
      ask: {
        name: 'ask',
        description: 'Ask the files shared in this channel',
        options: {
          question: { name: 'question', description: 'What do you want to know?' },
          private: { name: 'private', description: 'Only you see the answer' },
        },
      },
      ingest: {
        name: 'ingest',
        description: "Index this channel's messages, threads and attached files",
        options: {
          file: { name: 'file', description: 'Only this attachment (file name)' },
          full: { name: 'full', description: 'Read the whole history again, not just what is new' },
          files: { name: 'files', description: 'Only files, not the conversation' },
        },
      },
      sources: { name: 'sources', description: 'List the files citebot has indexed in this channel', options: {} },
      forget: {
        name: 'forget',
        description: 'Remove an indexed file from this channel (its uploader, or Manage Messages)',
        options: { file: { name: 'file', description: 'File name, as /sources shows it; "messages" for the conversation' } },
      },
    },
    askAboutMessage: 'Ask citebot about this',
    indexAttachments: 'Index attachments',
    askedAbout: (who) => `${who} asked about a message`,
    nothingToAskAbout: 'That message has no text to ask about.',
    noAttachments: 'That message has no attachments to index.',
  },
  // h23slack: Slack as an AI app.
  feedbackDialog: {
    title: 'What went wrong?',
    helpful: 'This answer helped',
    notHelpful: 'This answer did not help',
    question: 'What was wrong with the answer?',
    wrongSource: 'It cited the wrong source',
    notInFiles: 'The answer is not in the files',
    wrongLanguage: 'It answered in the wrong language',
    other: 'Something else',
    detailsLabel: 'Details',
    detailsHint: 'What should the answer have said, or where is it?',
    submit: 'Send',
    cancel: 'Cancel',
    otherNeedsText: 'Say what went wrong (or choose one of the reasons above).',
  },
  status: {
    searching: (where) => `Searching the files shared in ${where}…`,
    reading: (passages) => `Reading ${plural(passages, 'passage', 'passages')}…`,
    writing: 'Writing…',
  },
  home: {
    title: 'citebot',
    howToAsk:
      'Mention me in a channel (`@citebot what does the spec say about limits?`), write to me here in Messages, or use `/ask`. I answer from the files and messages indexed in that channel (`/ingest`), with numbered sources.',
    channels: (channels) => `Channels with indexed files: ${channels}`,
    noChannels: 'Nothing is indexed in this workspace yet: run `/ingest` in a channel.',
    feedbackHeading: 'Feedback on answers (admins only)',
    channelVotes: (channel, up, down) => `${channel}: 👍 ${up} · 👎 ${down}`,
    lastDown: 'Latest 👎',
    noFeedback: 'No feedback yet.',
  },
  shortcuts: {
    noFiles: 'That message has no files to index. Use the shortcut on a message with attachments, or `/ingest` for the whole channel.',
  },
} satisfies Messages;
