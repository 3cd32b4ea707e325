import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { IngestSource } from './indexer.js';

/** A local file's stable id: its absolute path, hashed (moving a file makes it a new document). */
export function localDocId(path: string): string {
  return 'local-' + createHash('sha256').update(resolve(path)).digest('hex').slice(0, 16);
}

export function localSource(path: string, scope: string, size?: number): IngestSource {
  const absolute = resolve(path);
  return {
    scope,
    docId: localDocId(absolute),
    source: basename(absolute),
    url: absolute,
    size,
    read: async () => new Uint8Array(await readFile(absolute)),
  };
}

/** Word, Excel and PowerPoint write `~$report.docx` beside a document while it is open: its owner's name, not a document. */
const OFFICE_LOCK_PREFIX = '~$';

/** A path inside a given folder that is not read, and why (reported, never dropped in silence). */
export interface PassedOver {
  path: string;
  reason: string;
}

/**
 * Expand files and folders (recursively) into sources, sorted for stable output. Hidden files and
 * folders (.git, .DS_Store), node_modules and Office lock files (~$report.docx) are passed over and returned with the reason; paths
 * that do not exist are returned apart. A path given explicitly is always read.
 */
export async function collectLocalSources(
  paths: string[],
  scope: string,
): Promise<{ sources: IngestSource[]; missing: string[]; passedOver: PassedOver[] }> {
  const sources: IngestSource[] = [];
  const missing: string[] = [];
  const passedOver: PassedOver[] = [];
  const visit = async (path: string, explicit: boolean): Promise<void> => {
    const name = basename(path);
    let info;
    try {
      info = await stat(path);
    } catch {
      missing.push(path);
      return;
    }
    if (!explicit && (name.startsWith('.') || name === 'node_modules')) {
      const what = info.isDirectory() ? 'folder' : 'file';
      passedOver.push({ path: resolve(path), reason: name.startsWith('.') ? `hidden ${what}` : 'node_modules folder' });
      return;
    }
    if (!explicit && info.isFile() && name.startsWith(OFFICE_LOCK_PREFIX)) {
      passedOver.push({ path: resolve(path), reason: 'Office lock file (the document is open in Word, Excel or PowerPoint)' });
      return;
    }
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      for (const entry of entries) await visit(join(path, entry), false);
    } else if (info.isFile()) {
      sources.push(localSource(path, scope, info.size));
    }
  };
  for (const path of paths) await visit(path, true);
  return { sources, missing, passedOver };
}
