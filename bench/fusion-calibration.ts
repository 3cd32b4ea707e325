/**
 * bench/RESULTS.md, "Fusion, calibration and generated sets (issue 16)": fusion on the visible sets with
 * two dense sides (fusion.ts), what the file-name header of the embedding input adds (embedding-header.ts),
 * and `citebot eval --generate` over ../shared/corpus (generated-sets.ts). Needs `npm run build` (the
 * generated-set runs use dist/cli.js).
 */
import { join } from 'node:path';
import { benchEmbeddingHeader } from './embedding-header.js';
import { benchFusion } from './fusion.js';
import { benchGeneratedSets } from './generated-sets.js';
import { writeResultsSection } from './support.js';

export const SECTION = 'Fusion, calibration and generated sets (issue 16)';

export async function benchFusionCalibration(): Promise<void> {
  const parts = [await benchFusion(), await benchEmbeddingHeader(), await benchGeneratedSets()];
  const body = parts.map((lines) => lines.join('\n')).join('\n\n');
  writeResultsSection(SECTION, body);
  console.log(body);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  await benchFusionCalibration();
}
