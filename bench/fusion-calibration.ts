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
  const intro =
    'What the defaults rest on: FUSION=adaptive at 0.2/0.8 is the setting of the first table that is within noise of the better side on every row (and FUSION_* stay what `eval --generate --apply` tunes per team: the third table shows by how much a calibrated setting can beat them); the second table is why only file names that name something are embedded.';
  const body = [intro, ...parts.map((lines) => lines.join('\n'))].join('\n\n');
  writeResultsSection(SECTION, body);
  console.log(body);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(join(import.meta.dirname, '..'));
  await benchFusionCalibration();
}
