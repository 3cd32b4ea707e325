/** `npm run bench`: build, then every benchmark in turn; each writes its section of bench/RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { benchConversations } from './conversations.js';
import { benchDiscord } from './discord.js';
import { benchEval } from './eval.js';
import { benchEvidence } from './evidence.js';
import { benchFusionCalibration } from './fusion-calibration.js';
import { benchIngest } from './ingest.js';
import { benchOcr } from './ocr.js';
import { benchOcrNoise } from './ocr-noise.js';
import { benchMemory } from './memory.js';
import { benchMcp } from './mcp.js';
import { benchRerank } from './rerank.js';
import { benchScale } from './scale.js';
import { benchSlack } from './slack.js';
import { ROOT, SHARED } from './support.js';

process.chdir(ROOT);
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (existsSync(SHARED)) {
  await benchIngest();
  await benchEval();
  await benchEvidence();
  await benchFusionCalibration();
} else console.warn('../shared is not here: skipping the corpus benchmarks');
await benchMemory();
await benchScale();
await benchRerank();
await benchSlack();
await benchDiscord();
await benchOcr();
await benchOcrNoise();
await benchConversations();
await benchMcp();
// Standalone scripts: each writes its own section of bench/RESULTS.md.
for (const script of ['bench/embed-hosts.ts', 'bench/pdf-folder.ts'])
  execFileSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
