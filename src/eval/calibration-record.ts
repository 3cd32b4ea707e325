/**
 * When each scope was last calibrated, and on what content: `<DATA_DIR>/eval-cache/calibrations.json`.
 * `doctor` compares it with the scope's content now and says when the calibration is older than it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../errors.js';
import type { DocumentIndex } from '../store/document-index.js';
import { scopeChunks, scopeContentKey } from './generate/scope-chunks.js';

export interface CalibrationEntry {
  at: string;
  contentKey: string;
  chunks: number;
  recommendation: Record<string, unknown>;
}

const recordFile = (dataDir: string) => join(dataDir, 'eval-cache', 'calibrations.json');

export function readCalibrations(dataDir: string): Record<string, CalibrationEntry> {
  const file = recordFile(dataDir);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, CalibrationEntry>;
  } catch {
    return {};
  }
}

export function recordCalibration(dataDir: string, scope: string, entry: CalibrationEntry): void {
  const all = { ...readCalibrations(dataDir), [scope]: entry };
  mkdirSync(join(dataDir, 'eval-cache'), { recursive: true });
  writeFileSync(recordFile(dataDir), JSON.stringify(all, null, 2) + '\n');
}

/** One doctor line per calibrated scope: ok while its content is the one calibrated on, a warning once it changed. */
export async function calibrationChecks(dataDir: string, index: DocumentIndex): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [scope, entry] of Object.entries(readCalibrations(dataDir))) checks.push(await calibrationCheck(index, scope, entry));
  return checks;
}

async function calibrationCheck(index: DocumentIndex, scope: string, entry: CalibrationEntry): Promise<Check> {
  const chunks = await scopeChunks(index, scope);
  const date = entry.at.slice(0, 10);
  if (scopeContentKey(chunks) === entry.contentKey)
    return {
      name: `calibration ${scope}`,
      status: 'ok' as const,
      detail: `calibrated on ${date} on its current content (${chunks.length} chunks)`,
    };
  return {
    name: `calibration ${scope}`,
    status: 'warning' as const,
    detail: `calibrated on ${date} on ${entry.chunks} chunks; the scope has changed since (${chunks.length} chunks now)`,
    fix: `citebot eval --generate 100 --scope ${scope} --apply`,
  };
}
