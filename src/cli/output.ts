import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';

/** A progress bar on stderr when a person is watching; nothing when output is piped or JSON. */
export function progressBar(enabled: boolean, label: string): { update(done: number, total: number, note?: string): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {value}/{total} {note}`,
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(done, total, note = '') {
      if (!started) {
        bar.start(total, done, { note });
        started = true;
      } else bar.update(done, { note: note.slice(0, 40) });
      bar.setTotal(total);
    },
    stop: () => started && bar.stop(),
  };
}

export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * When the reader of stdout or stderr goes away (`citebot doctor | head`), writes fail with EPIPE:
 * stop writing and end the command through `onClosed` instead of crashing with a stack trace.
 */
export function exitQuietlyWhenOutputCloses(onClosed: () => void): void {
  let closed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      if (closed) return;
      closed = true;
      onClosed();
    });
  }
}
