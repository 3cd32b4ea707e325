/**
 * Splits text into messages of at most `limit` characters, at the best break available: a blank
 * line, a line end, a sentence end, a space. A split never cuts a citation marker such as `[12]`
 * or `[1, 3]`, and a split inside a fenced code block closes the fence and reopens it (with its
 * language) in the next part, so each part renders on its own.
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 40) throw new Error('splitMessage: limit too small');
  const parts: string[] = [];
  let rest = text;
  let reopen = '';
  while (rest.length > 0) {
    const room = limit - reopen.length;
    if (rest.length <= room) {
      parts.push(reopen + rest);
      break;
    }
    // Leave room to close a fence that is open at the cut.
    const cut = bestCut(rest, room - 4);
    const part = rest.slice(0, cut);
    const open = openFence(reopen + part);
    parts.push(reopen + part.replace(/\s+$/u, '') + (open !== undefined ? '\n```' : ''));
    rest = rest.slice(cut).replace(/^\s*\n/u, '');
    reopen = open !== undefined ? '```' + open + '\n' : '';
  }
  return parts.filter((p) => p.trim().length > 0);
}

/** The fence line's language if a ``` block is open at the end of `text`, else undefined. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const match of text.matchAll(/^```([^\n`]*)$/gmu)) open = open === undefined ? match[1]!.trim() : undefined;
  return open;
}

const CITATION = /\[\d+(?:\s*[,–-]\s*\d+)*\]/gu;

function bestCut(text: string, max: number): number {
  const window = text.slice(0, max);
  const candidates = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n')];
  const sentence = Math.max(...['. ', '! ', '? ', '。', '！', '？'].map((end) => window.lastIndexOf(end)));
  candidates.push(sentence >= 0 ? sentence + (/[。！？]/u.test(window[sentence]!) ? 1 : 2) : -1);
  candidates.push(window.lastIndexOf(' '));
  // A good break is not too early: prefer it only if it keeps at least half of the room.
  let cut = candidates.find((c) => c >= max / 2) ?? max;
  if (cut <= 0) cut = max;
  // Never inside a citation marker: move the cut before it.
  for (const match of text.matchAll(CITATION)) {
    const start = match.index;
    const end = start + match[0].length;
    if (start < cut && cut < end) cut = start > 0 ? start : end;
  }
  // Never between the halves of a surrogate pair.
  if (cut > 0 && cut < text.length && /[\uDC00-\uDFFF]/u.test(text[cut]!)) cut--;
  return cut;
}
