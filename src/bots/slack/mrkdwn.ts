/**
 * Markdown (what chat models write) to Slack mrkdwn. Only what renders differently is converted:
 * bold, headings, links, bullets; `&`, `<` and `>` are escaped so text can never form Slack
 * control sequences (a mention or a link) by accident. Code spans and blocks are left as written.
 */
export function toMrkdwn(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/u)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : convertProse(part)))
    .join('');
}

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

function convertProse(text: string): string {
  const links: string[] = [];
  // Links first, out of the way of escaping: [label](https://…) becomes <url|label>, held meanwhile
  // by private-use markers that no text contains.
  const withoutLinks = text.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/gu, (_m, label: string, url: string) => {
    links.push(`<${url.replace(/[<>|]/gu, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/gu, '/')}>`);
    return `\uE000${links.length - 1}\uE001`;
  });
  return (
    escapeMrkdwn(withoutLinks)
      .replace(/^#{1,6}\s+(.+?)\s*#*$/gmu, '*$1*')
      .replace(/\*\*(?=\S)([^*\n]+?)\*\*/gu, '*$1*')
      .replace(/__(?=\S)([^_\n]+?)__/gu, '*$1*')
      .replace(/^(\s*)[-*+]\s+/gmu, '$1• ')
      // A quote's leading ">" is mrkdwn syntax, not text: unescape it.
      .replace(/^&gt;(?=\s)/gmu, '>')
      .replace(/\uE000(\d+)\uE001/gu, (_m, i: string) => links[Number(i)]!)
  );
}
