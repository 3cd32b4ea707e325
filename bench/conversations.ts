/**
 * Conversations at scale (issue 14): a Slack channel of 20,000 messages in 2,000 threads, read by
 * `/ingest` through the real Bolt app and WebClient against the Slack double (history and replies
 * rate-limited with HTTP 429 + Retry-After), then `/ingest` again, then one message edited: the lag
 * from the message_changed event to the answer citing the new text and not the old. Peak RSS is the
 * whole runner process (citebot plus both doubles). `npx tsx bench/conversations.ts`;
 * BENCH_CONV_THREADS changes the number of threads (10 messages each).
 */
import { join } from 'node:path';
import { benchWorkspace, fixed, machine, ROOT, runMeasured, writeResultsSection } from './support.js';

const TITLE = 'Conversations: 20,000 messages in 2,000 threads (issue 14)';

export async function benchConversations(): Promise<void> {
  const workspace = await benchWorkspace('conversations');
  try {
    const env = { ...process.env, DATA_DIR: workspace.dataDir, CHROMA_URL: workspace.chroma.url, CHROMA_COLLECTION_PREFIX: 'bench' };
    const run = await runMeasured(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'conversations-runner.ts')], env);
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    if (run.code !== 0 || !line.startsWith('{')) throw new Error(`conversations runner failed (${run.code}): ${run.stderr.slice(-2000)}`);
    const r = JSON.parse(line) as {
      threads: number;
      messages: number;
      chunks: number;
      documents: number;
      first: { ms: number; historyCalls: number; repliesCalls: number; rateLimited: number; textsEmbedded: number; text: string };
      rerun: { ms: number; historyCalls: number; repliesCalls: number; rateLimited: number; textsEmbedded: number; text: string };
      foundBeforeEdit: boolean;
      lagMs: number;
      syncDelayMs: number;
    };
    const row = (name: string, x: typeof r.first) =>
      `| ${name} | ${fixed(x.ms / 1000)} s | ${x.historyCalls} | ${x.repliesCalls} | ${x.rateLimited} | ${x.textsEmbedded} |`;
    const lines = [
      `\`npx tsx bench/conversations.ts\` (also in \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.`,
      `A Slack channel of ${r.messages.toLocaleString('en-US')} messages in ${r.threads.toLocaleString('en-US')} threads (10 each) on the Slack double; citebot (core + real Bolt HTTP receiver) with the Ollama double's embeddings and a real Chroma server. History is rate-limited to 20 calls/s and replies to 100 calls/s (Slack's tiers scaled to seconds; beyond that HTTP 429 + Retry-After, which the WebClient waits out). ${r.documents.toLocaleString('en-US')} documents, ${r.chunks.toLocaleString('en-US')} chunks indexed.`,
      '',
      '| run | wall time | conversations.history | conversations.replies | HTTP 429s | texts embedded |',
      '|---|---|---|---|---|---|',
      row('first `/ingest`', r.first),
      row('re-run `/ingest`', r.rerun),
      '',
      `- Peak RSS of the runner process (citebot + Slack double + Ollama double): **${fixed(run.peakRssMb, 0)} MB** (target ≤ 600 MB); CPU ${fixed(run.cpuSeconds)} s.`,
      `- Edit lag: from the signed message_changed event to an answer citing the new text and not the old: **${fixed(r.lagMs / 1000, 2)} s** (MESSAGE_SYNC_DELAY_MS=${r.syncDelayMs}; the old text was found before the edit: ${r.foundBeforeEdit}).`,
      '- A re-run reads one history page (nothing newer than the cursor) and embeds nothing. Threads older than the cursor are not re-read (their later replies come from events).',
    ];
    writeResultsSection(TITLE, lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await workspace.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchConversations();
