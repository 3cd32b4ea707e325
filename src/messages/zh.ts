import type { Messages } from './catalogue.js';

export const zh = {
  language: {
    name: '简体中文',
    // Chinese words are one or two characters: two Han characters weigh about one Latin word.
    wordUnits: (text) => (text.match(/\p{Script=Han}/gu)?.length ?? 0) / 2,
  },
  answer: {
    noFilesIndexed: '这里还没有索引任何文件，所以没有可以作答的依据。',
    notCovered: '这里共享的文件没有涉及这个问题。',
    notCoveredClosest: (files) => `这里共享的文件没有涉及这个问题。最接近的文件是：${files.join('、')}。`,
    notCoveredClosestSources: (sources) => `这里共享的内容没有涉及这个问题。最接近的来源是：${sources.join('、')}。`,
    modelUnavailable: '语言模型暂时不可用；以下是最相关的段落：',
    asked: (who, question) => `${who} 提问：${question}`,
  },
  labels: { sources: '来源', alsoRelevant: '其他相关', closestFiles: '最接近的文件', closestSources: '最接近的来源', continued: '（续）' },
  placeholders: {
    searching: (where) => `正在搜索 ${where} 中共享的文件…`,
    thinking: '思考中…',
    thisConversation: '本对话',
  },
  feedback: {
    thanksHelpful: '谢谢——很高兴能帮上忙。',
    thanksNoted: '谢谢——已记录。问题、回答和来源已保存，供人工复查。',
    answerGone: '这条回答已不在记录中。',
  },
  failure: {
    doing: {
      answer: '回答这个问题',
      ingest: '索引这些文件',
      forget: '移除该文件',
      ingestMessages: '索引这些消息',
      forgetMessages: '移除这些消息',
      command: (name) => `执行 /${name}`,
    },
    withReason: (doing, reason) => `⚠️ citebot 无法${doing}：${reason}`,
    withDoctor: (doing, reason) => `⚠️ citebot 无法${doing}：${reason} 管理员可以运行 \`citebot doctor\` 排查。`,
    unreachable: (doing) => `⚠️ citebot 无法${doing}：它依赖的某个服务无法连接。管理员可以运行 \`citebot doctor\` 排查。`,
    internal: (doing) => `⚠️ citebot 因内部错误无法${doing}。错误已记录，请稍后再试。`,
    keptIndexed: '此前已索引的文件会保留。',
    keptMessages: '此前已索引的消息会保留；再运行 `/ingest` 会从那里继续。',
  },
  ingest: {
    slackUsage:
      '*用法：*`/ingest` 索引本频道中共享的文件（之后再运行只处理新增或修改的文件）。\n' +
      '同时索引频道的消息和话题（之后跟踪编辑和删除）；`/ingest files` 只索引文件。\n' +
      '`/ingest <文件链接或名称>` 只索引一个文件。`/ingest auto on|off` 在文件共享时自动索引。',
    lookingForFiles: (where) => `正在查找 ${where} 中共享的文件…`,
    queued: '本频道正在进行另一次索引；这些文件已排队，会在它完成后立即索引。',
    autoOn: '自动索引已*开启*：本频道中共享的文件会在到达时被索引。',
    autoOff: '自动索引已*关闭*：运行 `/ingest` 来索引新文件。',
    noFileMatching: (name) => `本频道中没有共享名为“${name}”的文件。`,
    found: (count) => `找到 ${count} 个文件；正在索引…`,
    progress: (done, total) => `已索引 ${done}/${total}`,
    reading: (name) => ` · 正在读取 ${name}`,
    problem: (source, reason, status) => ` · ${source}：${reason}，${status}`,
    nothingToIndex: '本频道没有可索引的文件：请先共享一些文件（PDF、Word、PowerPoint、Excel、CSV、HTML、Markdown、文本），然后再运行一次。',
    summary: ({ files, indexed, updated, unchanged, notIndexed, passages }) => {
      const parts = [
        indexed && `新增 ${indexed} 个`,
        updated && `更新 ${updated} 个`,
        unchanged && `未变 ${unchanged} 个`,
        notIndexed && `未索引 ${notIndexed} 个`,
      ].filter(Boolean);
      return `${files} 个文件：${parts.join('，')}${passages ? `（新增 ${passages} 个段落）` : ''}。`;
    },
    problemLine: (source, reason, status) => `• ${source}：${reason}（${status}）`,
    more: (count) => `• ……另有 ${count} 个`,
    readingMessages: (count) => `正在读取本频道的消息…${count === undefined ? '' : ` ${count}`}`,
    conversationSummary: ({ messages, documents, total, historyDays }) =>
      messages === 0 && historyDays !== undefined
        ? `会话：最近 ${historyDays} 天内没有消息（SLACK_HISTORY_DAYS=${historyDays}）；要读取更早的消息，请调大 SLACK_HISTORY_DAYS 后再运行 /ingest。`
        : messages === 0
          ? `会话：没有新消息；本频道共索引 ${total} 条消息。`
          : `会话：新增 ${messages} 条消息（写入 ${documents} 个话题/日期文档）；本频道共索引 ${total} 条消息。`,
    slackConversationNotReadable: '会话未索引：citebot 只能读取它所在的频道（用 `/invite @citebot` 邀请它，然后再运行 `/ingest`）。',
    discordReadingHistory: (since) => `正在读取本频道${since ? '自上次 /ingest 以来' : ''}的历史消息…`,
    discordNoAttachmentNamed: (name) => `本频道近期的历史消息中没有名为“${name}”的附件。`,
    discordNoNewAttachments: (indexed) =>
      `自上次 /ingest 以来没有新附件（这里已索引 ${indexed} 个文件；\`/sources\` 可列出它们，\`/ingest full:true\` 会重新读取全部）。`,
    discordHistoryLimited: (scanned) => `只读取了最近的 ${scanned} 条消息（DISCORD_HISTORY_LIMIT）；更早的附件没有查看。`,
    discordAttachHelp: '请在消息中附上文件（或回复一条带附件的消息）并 @我 加上 `ingest`；或者用 `/ingest` 索引整个频道。',
    discordCannotReadChannel: 'citebot 无法读取本频道：请在这里授予它“查看频道”和“读取消息历史”权限。',
  },
  sources: {
    ownHeading: (count) => `本频道已索引的文件（${count}）`,
    sharedHeading: (scope, count) => `从 ${scope} 共享到本频道的文件（${count}）`,
    passages: (count) => `${count} 个段落`,
    more: (count) => `……另有 ${count} 个`,
    slackNothingIndexed: '这里还没有索引任何内容：运行 `/ingest` 来索引本频道中共享的文件。',
    discordNothingIndexed: '这里还没有索引任何内容：运行 `/ingest` 来索引本频道中的附件。',
    conversation: (documents, forget) => `频道对话：${documents} 个话题和日期的消息（\`${forget}\` 可删除）`,
  },
  forget: {
    slackUsage: '*用法：*`/forget <文件名或链接>` 从本频道移除一个已索引的文件。参见 `/sources`。',
    notFound: (name) => `本频道中没有已索引的文件“${name}”。参见 \`/sources\`。`,
    slackAmbiguous: (count, name) => `这里有 ${count} 个已索引的文件名为“${name}”；请用其中一个的链接或 id 运行 \`/forget\`：`,
    discordAmbiguous: (count, name) => `这里有 ${count} 个已索引的文件名为“${name}”；请用其中一个的 id 运行 \`/forget\`：`,
    slackRefused: (source) => `只有共享“${source}”的人或工作区管理员可以把它从 citebot 中移除。`,
    discordRefused: (source) => `只有共享“${source}”的人或拥有“管理消息”权限的成员可以把它从 citebot 中移除。`,
    slackRemoved: (source, passages) => `已从 citebot 的本频道索引中移除“${source}”（${passages} 个段落）。Slack 中的文件本身未受影响。`,
    discordRemoved: (source, passages) => `已从 citebot 的本频道索引中移除“${source}”（${passages} 个段落）。消息及其附件未受影响。`,
    slackMessagesUsage:
      '*用法：* `/forget <文件名或链接>` 从本频道的索引中删除一个文件（`/forget messages`：删除频道对话）。参见 `/sources`。',
    messagesRemoved: (documents, passages) =>
      `已从 citebot 的索引中删除本频道的消息（${documents} 个话题和日期，${passages} 个段落）；不再跟踪新消息。\`/ingest\` 可重新索引。`,
  },
  help: {
    slackMention: '可以问我这里共享的文件的内容：`@citebot 规范里对限制是怎么说的？`（请先用 `/ingest` 索引它们）。',
    discordMention:
      '可以问我这里共享的文件的内容：`@citebot 规范里对限制是怎么说的？` 请先用 `/ingest` 索引它们（或在带附件的消息上 @我 并加上 `ingest`）。',
    slackAskUsage:
      '*用法：*`/ask <问题>` —— 根据本频道共享的文件回答，并附带编号的来源。\n' +
      '`/ask -p <问题>` 只有你能看到回答。\n' +
      '请先用 `/ingest` 索引频道中的文件；用 `/sources` 查看已索引的内容。',
    discordAskUsage: '用法：`/ask question: 规范对限制是怎么说的？`（搜索用 `/ingest` 在此索引的文件）',
    unknownCommand: (name) => `未知命令 /${name}。`,
  },
  // h23discord: Discord's feedback components, localized commands and message context menus.
  discord: {
    helpful: '有帮助',
    notHelpful: '没帮助',
    whatWentWrong: '谢谢。哪里不对？',
    reasons: {
      'wrong-source': '引用的来源不对',
      'not-in-files': '文件里没有这个答案',
      'wrong-language': '回答用错了语言',
      other: '其他……',
    },
    otherTitle: '哪里不对？',
    otherLabel: '简单说说',
    commands: {
      ask: {
        name: '提问',
        description: '向本频道分享的文件提问',
        options: {
          question: { name: '问题', description: '你想知道什么？' },
          private: { name: '仅自己可见', description: '只有你能看到回答' },
        },
      },
      ingest: {
        name: '索引',
        description: '索引本频道的消息、子区和附件',
        options: {
          file: { name: '文件', description: '只索引这个附件（文件名）' },
          full: { name: '全部', description: '重新读取全部历史，而不只是新内容' },
          files: { name: '仅文件', description: '只索引文件，不索引对话' },
        },
      },
      sources: { name: '来源', description: '列出 citebot 在本频道索引的文件', options: {} },
      forget: {
        name: '移除',
        description: '从本频道移除一个已索引的文件（上传者或有“管理消息”权限的成员）',
        options: { file: { name: '文件', description: '文件名，与 /sources 显示的一致；对话请填 "messages"' } },
      },
    },
    askAboutMessage: '向 citebot 询问这条消息',
    indexAttachments: '索引附件',
    askedAbout: (who) => `${who} 询问了一条消息`,
    nothingToAskAbout: '这条消息没有可以询问的文字。',
    noAttachments: '这条消息没有可以索引的附件。',
  },
  // h23slack: Slack as an AI app.
  feedbackDialog: {
    title: '哪里有问题？',
    helpful: '这条回答有帮助',
    notHelpful: '这条回答没有帮助',
    question: '这条回答哪里有问题？',
    wrongSource: '引用的来源不对',
    notInFiles: '文件里没有这个答案',
    wrongLanguage: '回答用错了语言',
    other: '其他',
    detailsLabel: '详细说明',
    detailsHint: '回答应该说什么，或者答案在哪里？',
    submit: '提交',
    cancel: '取消',
    otherNeedsText: '请说明哪里有问题（或选择上面的一个原因）。',
  },
  status: {
    searching: (where) => `正在搜索 ${where} 中分享的文件…`,
    reading: (passages) => `正在阅读 ${passages} 个段落…`,
    writing: '正在撰写…',
  },
  home: {
    title: 'citebot',
    howToAsk:
      '在频道中提及我（`@citebot 规范对限制是怎么说的？`），在“消息”里直接问我，或使用 `/ask`。我根据该频道中已索引的文件和消息（`/ingest`）回答，并附上编号来源。',
    channels: (channels) => `已索引文件的频道：${channels}`,
    noChannels: '这个工作区还没有索引任何内容：请在频道中运行 `/ingest`。',
    feedbackHeading: '对回答的反馈（仅管理员可见）',
    channelVotes: (channel, up, down) => `${channel}：👍 ${up} · 👎 ${down}`,
    lastDown: '最近的 👎',
    noFeedback: '还没有反馈。',
  },
  shortcuts: {
    noFiles: '这条消息没有可索引的文件。请在带附件的消息上使用此快捷方式，或用 `/ingest` 索引整个频道。',
  },
} satisfies Messages;
