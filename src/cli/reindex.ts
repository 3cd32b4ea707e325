import type { CitebotCore } from '../core.js';
import { printJson, progressBar } from './output.js';

export async function reindexCommand(core: CitebotCore, options: { json?: boolean }): Promise<number> {
  const index = core.index;
  const bar = progressBar(!options.json, `Re-embedding with ${core.settings.EMBED_MODEL}`);
  const started = Date.now();
  let result;
  try {
    result = await index.reindex((done, total) => bar.update(done, total));
  } finally {
    bar.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  if (options.json) printJson({ ...result, seconds });
  else {
    const from = result.previousModel && result.previousModel !== result.model ? ` (was ${result.previousModel})` : '';
    process.stdout.write(`Re-embedded ${result.chunks} chunks with ${result.model}${from} in ${seconds.toFixed(1)} s\n`);
  }
  return 0;
}
