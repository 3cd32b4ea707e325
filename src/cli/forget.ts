import type { CitebotCore } from '../core.js';
import { ExitCode } from './exit-codes.js';
import { printJson } from './output.js';

export async function forgetCommand(core: CitebotCore, target: string, options: { scope: string; json?: boolean }): Promise<number> {
  const matches = core.index.findDocuments(target, options.scope);
  if (matches.length === 0) {
    const message = `No document "${target}" in scope ${options.scope}. See: citebot sources --scope ${options.scope}`;
    if (options.json) printJson({ forgotten: [], error: message });
    else process.stderr.write(message + '\n');
    return ExitCode.partial;
  }
  const index = core.index;
  const forgotten = [];
  for (const doc of matches) {
    const chunks = await index.forget(doc.scope, doc.docId);
    forgotten.push({ docId: doc.docId, source: doc.source, scope: doc.scope, chunks });
  }
  if (options.json) printJson({ forgotten });
  else
    for (const f of forgotten) process.stdout.write(`Forgot ${f.source} (${f.docId}): ${f.chunks} chunks removed from scope ${f.scope}\n`);
  return ExitCode.ok;
}
