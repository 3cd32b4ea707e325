import type { FeedbackReasonKind } from '../store/ports.js';

/** citebot's Discord slash commands (names as registered, in English). */
export type DiscordCommandName = 'ask' | 'ingest' | 'sources' | 'forget';

/**
 * Every fixed text a chat user can see, as one typed set of keys: a language file that leaves a key
 * out (or gets a parameter wrong) does not compile. Texts are plain; adapters add their platform's
 * markup (bold, small print) and escape what they insert. Parameters are already formatted strings.
 */
export interface Messages {
  /** How this language is recognised in a question (see detectLanguage). */
  language: {
    /** The language's name in itself, for logs and docs. */
    name: string;
    /** How many units of this language's script `text` has, comparable across languages (about one per word). */
    wordUnits(text: string): number;
  };
  answer: {
    noFilesIndexed: string;
    notCovered: string;
    /** `files`: the closest files' names, already joined by the caller's list separator. */
    notCoveredClosest(files: string[]): string;
    /** As notCoveredClosest, when some of the closest sources are conversations (threads, days of messages). */
    notCoveredClosestSources(sources: string[]): string;
    /** Before the passages quoted when the chat model is down or too slow. */
    modelUnavailable: string;
    /** The heading of a Slack or Discord answer to a slash command. */
    asked(who: string, question: string): string;
  };
  labels: {
    sources: string;
    alsoRelevant: string;
    closestFiles: string;
    /** closestFiles when some are conversations. */
    closestSources: string;
    /** A continuation message of a long answer (Slack fallback text). */
    continued: string;
  };
  placeholders: {
    /** `where`: "#general", or `thisConversation`. */
    searching(where: string): string;
    thinking: string;
    thisConversation: string;
  };
  feedback: {
    thanksHelpful: string;
    thanksNoted: string;
    answerGone: string;
  };
  failure: {
    /** What citebot was doing, for the lines below. */
    doing: {
      answer: string;
      ingest: string;
      forget: string;
      ingestMessages: string;
      forgetMessages: string;
      command(name: string): string;
    };
    /** A CitebotError, shown as it is (`reason` is its message). */
    withReason(doing: string, reason: string): string;
    /** Ollama or Chroma down. */
    withDoctor(doing: string, reason: string): string;
    unreachable(doing: string): string;
    internal(doing: string): string;
    /** After an ingest failure. */
    keptIndexed: string;
    /** After a conversation ingest failed: what stays, and that the next run continues. */
    keptMessages: string;
  };
  ingest: {
    slackUsage: string;
    lookingForFiles(where: string): string;
    /** Another ingest runs in the channel: these files wait for it. */
    queued: string;
    autoOn: string;
    autoOff: string;
    noFileMatching(name: string): string;
    found(count: number): string;
    /** The progress line: "Indexed 3/12", then `reading` or `problem` when there is one. */
    progress(done: number, total: number): string;
    reading(name: string): string;
    problem(source: string, reason: string, status: string): string;
    nothingToIndex: string;
    /** The first line of the summary; counts that are 0 are left out. */
    summary(counts: { files: number; indexed: number; updated: number; unchanged: number; notIndexed: number; passages: number }): string;
    problemLine(source: string, reason: string, status: string): string;
    more(count: number): string;
    discordReadingHistory(sinceLastIngest: boolean): string;
    /** The conversation half of /ingest: messages read so far (none yet: undefined). */
    readingMessages(count?: number): string;
    /** "Conversation: 120 new messages (14 thread/day documents written); 3,400 messages indexed in this channel." */
    /** `historyDays`: a first read went back only this many days (Slack's SLACK_HISTORY_DAYS). */
    conversationSummary(counts: { messages: number; documents: number; total: number; historyDays?: number }): string;
    slackConversationNotReadable: string;
    discordNoAttachmentNamed(name: string): string;
    discordNoNewAttachments(indexedFiles: number): string;
    discordHistoryLimited(scanned: number): string;
    discordAttachHelp: string;
    discordCannotReadChannel: string;
  };
  sources: {
    ownHeading(count: number): string;
    sharedHeading(scope: string, count: number): string;
    passages(count: number): string;
    more(count: number): string;
    slackNothingIndexed: string;
    discordNothingIndexed: string;
    /** The channel's indexed conversation, as one line; `forget` is the command that removes it. */
    conversation(documents: number, forget: string): string;
  };
  forget: {
    slackUsage: string;
    notFound(name: string): string;
    slackAmbiguous(count: number, name: string): string;
    discordAmbiguous(count: number, name: string): string;
    slackRefused(source: string): string;
    discordRefused(source: string): string;
    slackRemoved(source: string, passages: number): string;
    discordRemoved(source: string, passages: number): string;
    /** `/forget messages` (Slack) or the "messages" file (Discord). */
    slackMessagesUsage: string;
    messagesRemoved(documents: number, passages: number): string;
  };
  help: {
    slackMention: string;
    discordMention: string;
    slackAskUsage: string;
    discordAskUsage: string;
    unknownCommand(name: string): string;
  };
  // h23discord: Discord's feedback components, localized commands and message context menus.
  discord: {
    /** The 👍/👎 buttons under an answer. */
    helpful: string;
    notHelpful: string;
    /** After 👎: the prompt above the reasons, and each reason (FEEDBACK_REASONS). */
    whatWentWrong: string;
    reasons: Record<FeedbackReasonKind, string>;
    /** The dialog for "other" (Discord: title and label at most 45 characters). */
    otherTitle: string;
    otherLabel: string;
    /** Slash commands and their options as Discord shows them (names: lowercase, no spaces, at most 32). */
    commands: Record<
      DiscordCommandName,
      { name: string; description: string; options: Record<string, { name: string; description: string }> }
    >;
    /** Message context menu entries (at most 32 characters, spaces allowed). */
    askAboutMessage: string;
    indexAttachments: string;
    /** The heading of an answer about a message. */
    askedAbout(who: string): string;
    /** "Ask citebot about this" on a message without text. */
    nothingToAskAbout: string;
    /** "Index attachments" on a message without any. */
    noAttachments: string;
  };
  // h23slack: Slack as an AI app (the feedback dialog, loading statuses).
  /** The 👎 dialog: what went wrong with an answer. `title` and `submit`/`cancel` fit Slack's 24 characters. */
  feedbackDialog: {
    title: string;
    /** Screen-reader labels of the 👍/👎 buttons. */
    helpful: string;
    notHelpful: string;
    question: string;
    wrongSource: string;
    notInFiles: string;
    wrongLanguage: string;
    other: string;
    detailsLabel: string;
    detailsHint: string;
    submit: string;
    cancel: string;
    /** "Other" chosen without saying what. */
    otherNeedsText: string;
  };
  /** Loading messages shown as the assistant's status while an answer is prepared. */
  status: {
    /** `where`: "#general", or placeholders.thisConversation. */
    searching(where: string): string;
    reading(passages: number): string;
    writing: string;
  };
  /** The Home tab. */
  home: {
    title: string;
    howToAsk: string;
    /** `channels`: the channels' mentions, already joined. */
    channels(channels: string): string;
    noChannels: string;
    /** For workspace admins. */
    feedbackHeading: string;
    /** One channel's votes. */
    channelVotes(channel: string, up: number, down: number): string;
    lastDown: string;
    noFeedback: string;
  };
  shortcuts: {
    /** "Index this file" on a message without files. */
    noFiles: string;
  };
}
