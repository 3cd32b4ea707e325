import { resolve } from 'node:path';
import { forgetDocument } from '../app/forget.js';
import { emptyScopeWarning } from '../app/scopes.js';
import type { CitebotCore } from '../core.js';
import { forgetLines } from './command-text.js';
import { ExitCode } from './exit-codes.js';
import { printJson } from './output.js';

/** `citebot forget <docId|path|name>`: one document; an ambiguous name lists the candidates (exit 1). */
export async function forgetCommand(core: CitebotCore, target: string, options: { scope: string; json?: boolean }): Promise<number> {
  const outcome = await forgetDocument(core, { scope: options.scope, target, paths: [resolve(target)] });
  const warning = outcome.kind === 'not_found' ? await emptyScopeWarning(core, options.scope) : undefined;
  if (warning) process.stderr.write(`citebot: warning: ${warning}\n`);
  const lines = forgetLines(outcome, target, options.scope, `citebot sources --scope ${options.scope}`);
  const removed = outcome.kind === 'removed';
  if (options.json) {
    const { kind: _kind, ...forgotten } = removed ? outcome : { kind: '' };
    printJson({
      forgotten: removed ? [forgotten] : [],
      ...(removed ? {} : { error: lines.join('\n') }),
      ...(outcome.kind === 'ambiguous'
        ? { candidates: outcome.candidates.map((d) => ({ docId: d.docId, path: d.url, source: d.source })) }
        : {}),
    });
  } else (removed ? process.stdout : process.stderr).write(lines.join('\n') + '\n');
  return removed ? ExitCode.ok : ExitCode.partial;
}
