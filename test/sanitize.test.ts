import { describe, expect, it } from 'vitest';
import { findCodeRanges, LINK_REMOVED, neutralizeMentions, restrictLinks, sanitizeAnswer } from '../src/chains/sanitize.js';

const ZWSP = '\u200b';

/** Any form Slack or Discord would turn into a notification. */
const WORKING_MENTION = /[@＠](?:everyone|here|channel)(?![\p{L}\p{N}_])|<!(?:channel|here|everyone|subteam)|<@[&!]?[\w-]/iu;

describe('neutralizeMentions', () => {
  it('breaks plain-text mass mentions with a zero-width space, any case, also the full-width @', () => {
    expect(neutralizeMentions('Hi @everyone, @here and @channel!')).toBe(`Hi @${ZWSP}everyone, @${ZWSP}here and @${ZWSP}channel!`);
    expect(neutralizeMentions('@EVERYONE @Here @cHaNnEl')).toBe(`@${ZWSP}EVERYONE @${ZWSP}Here @${ZWSP}cHaNnEl`);
    expect(neutralizeMentions('＠everyone 请注意')).toBe(`@${ZWSP}everyone 请注意`);
    expect(neutralizeMentions('mail@everyone.example')).toBe(`mail@${ZWSP}everyone.example`);
  });

  it('leaves words that only start like a mass mention', () => {
    expect(neutralizeMentions('@heretic @channels @everyone_else')).toBe('@heretic @channels @everyone_else');
  });

  it('rewrites Slack special mentions as plain text', () => {
    expect(neutralizeMentions('<!channel> <!here> <!everyone> <!HERE|here>')).toBe(
      `@${ZWSP}channel @${ZWSP}here @${ZWSP}everyone @${ZWSP}here`,
    );
    expect(neutralizeMentions('<!subteam^S123|@team> <!subteam^S456>')).toBe(`@${ZWSP}team @${ZWSP}team`);
    expect(neutralizeMentions('<!subteam^S123|@design-leads>')).toBe(`@${ZWSP}design-leads`);
    expect(neutralizeMentions('due <!date^1392734382^{date}|Feb 18>')).toBe('due Feb 18');
  });

  it('rewrites user and role mentions so the model pings nobody', () => {
    expect(neutralizeMentions('<@&123456> <@U0123ABC> <@U0123ABC|alice> <@123> <@!456>')).toBe(
      `@${ZWSP}role @${ZWSP}user @${ZWSP}alice @${ZWSP}user @${ZWSP}user`,
    );
  });

  it('leaves channel links and ordinary text alone', () => {
    expect(neutralizeMentions('See <#C123|general>, email a@b.com, 3 < 4 > 2')).toBe('See <#C123|general>, email a@b.com, 3 < 4 > 2');
  });

  it('is idempotent', () => {
    const once = neutralizeMentions('@everyone <!here> <@&1>');
    expect(neutralizeMentions(once)).toBe(once);
  });

  it('leaves no working mention of any form', () => {
    const forms = [
      '@everyone',
      '@here',
      '@channel',
      '@Everyone',
      '@HERE',
      '＠channel',
      '＠EVERYONE',
      '<!channel>',
      '<!here>',
      '<!everyone>',
      '<!Channel>',
      '<!here|here>',
      '<!channel|@channel>',
      '<!subteam^S123>',
      '<!subteam^S123|@team>',
      '<!SUBTEAM^S1|@x>',
      '<@&123>',
      '<@U123>',
      '<@123>',
      '<@!123>',
      '<@W123|bob>',
      '`<!channel>` in code',
      '```\n@everyone\n```',
    ];
    for (const form of forms) {
      const out = neutralizeMentions(`before ${form} after`);
      expect(out, form).not.toMatch(WORKING_MENTION);
    }
  });
});

describe('restrictLinks', () => {
  const allowed = ['https://files.slack.com/files-pri/T1-F1/report.pdf', 'https://discord.com/channels/1/2/3/', '/srv/docs/guide.md'];

  it('keeps links to the sources, including the same origin and path with or without a trailing slash', () => {
    const text =
      'See [the report](https://files.slack.com/files-pri/T1-F1/report.pdf), <https://discord.com/channels/1/2/3|the message> and https://discord.com/channels/1/2/3.';
    expect(restrictLinks(text, allowed)).toBe(text);
    expect(restrictLinks('<https://files.slack.com/files-pri/T1-F1/report.pdf/>', allowed)).toBe(
      '<https://files.slack.com/files-pri/T1-F1/report.pdf/>',
    );
    expect(restrictLinks('[guide]( /srv/docs/guide.md )', allowed)).toBe('[guide]( /srv/docs/guide.md )');
  });

  it('replaces an unknown markdown link by its text', () => {
    expect(restrictLinks('Read [the policy](https://evil.example/x) now.', allowed)).toBe('Read the policy now.');
    expect(restrictLinks('Read [the policy](<https://evil.example/x> "title") now.', allowed)).toBe('Read the policy now.');
    expect(restrictLinks('![chart](https://evil.example/c.png)', allowed)).toBe('chart');
    expect(restrictLinks('[wiki](https://en.wikipedia.org/wiki/Paris_(France)).', allowed)).toBe('wiki.');
  });

  it('replaces an unknown Slack link by its text, or by a neutral word when it has none', () => {
    expect(restrictLinks('Click <https://evil.example/login|here to log in>.', allowed)).toBe('Click here to log in.');
    expect(restrictLinks('Go to <https://evil.example/login>.', allowed)).toBe(`Go to ${LINK_REMOVED}.`);
    expect(restrictLinks('<mailto:x@evil.example|x@evil.example>', allowed)).toBe('x@evil.example');
  });

  it('replaces an unknown bare URL, keeping the punctuation after it', () => {
    expect(restrictLinks('Visit https://evil.example/x.', allowed)).toBe(`Visit ${LINK_REMOVED}.`);
    expect(restrictLinks('(see https://evil.example/a_(b)) or www.evil.example/p, ok', allowed)).toBe(
      `(see ${LINK_REMOVED}) or ${LINK_REMOVED}, ok`,
    );
    expect(restrictLinks('见https://evil.example/x，然后', allowed)).toBe(`见${LINK_REMOVED}，然后`);
  });

  it('does not leave a URL behind as link text', () => {
    expect(restrictLinks('[https://evil.example](https://evil.example)', allowed)).toBe(LINK_REMOVED);
    expect(restrictLinks('<https://evil.example|https://evil.example/b>', allowed)).toBe(LINK_REMOVED);
  });

  it('always removes javascript:, vbscript: and data: URLs, even listed as allowed', () => {
    const risky = ['javascript:alert(1)', 'data:text/html;base64,PHNjcmlwdD4='];
    expect(restrictLinks('[click](javascript:alert(1))', risky)).toBe('click');
    expect(restrictLinks('[click](JaVaScRiPt:alert(1))', risky)).toBe('click');
    expect(restrictLinks('<javascript:alert(1)|click>', risky)).toBe('click');
    expect(restrictLinks('[x](data:text/html;base64,PHNjcmlwdD4=)', risky)).toBe('x');
    expect(restrictLinks('[x](vbscript:msgbox)', risky)).toBe('x');
    expect(restrictLinks('run javascript:alert(1) now', risky)).toBe(`run ${LINK_REMOVED} now`);
  });

  it('does not break citation markers', () => {
    const text = 'The cap is 500 dollars [1][2]. Also [3], see [1] again.';
    expect(restrictLinks(text, allowed)).toBe(text);
    expect(restrictLinks('Cap [1][2](https://evil.example).', allowed)).toBe('Cap [1]2.');
  });

  it('leaves URLs inside code alone: platforms do not make them clickable', () => {
    const text = 'Run `curl https://api.example.com/v1` then\n```\nwget https://mirror.example/x\n```';
    expect(restrictLinks(text, allowed)).toBe(text);
  });

  it('treats an unclosed code fence as prose', () => {
    expect(restrictLinks('```\nhttps://evil.example', allowed)).toBe(`\`\`\`\n${LINK_REMOVED}`);
  });
});

describe('sanitizeAnswer', () => {
  it('restricts links and neutralizes mentions together', () => {
    const text = '<!channel> read [this](https://evil.example) <https://evil.example|@everyone> [1]';
    expect(sanitizeAnswer(text, [])).toBe(`@${ZWSP}channel read this @${ZWSP}everyone [1]`);
  });

  it('is idempotent', () => {
    const text = '@here [a](https://evil.example) <@&5> https://x.example/y. [2]';
    const once = sanitizeAnswer(text, ['https://ok.example']);
    expect(sanitizeAnswer(once, ['https://ok.example'])).toBe(once);
  });
});

describe('findCodeRanges', () => {
  it('finds inline spans and fenced blocks, and ignores unmatched backticks', () => {
    const text = 'a `b` c ``d`e`` f\n```js\ncode\n``` g `x\ny` ```open';
    expect(findCodeRanges(text).map((range) => text.slice(range.start, range.end))).toEqual(['`b`', '``d`e``', '```js\ncode\n```']);
  });
});
