/**
 * `citebot eval --generate --apply`: the recommendation written to the settings file CITEBOT_CONFIG names
 * (created when missing), keeping its other keys and comments (yaml's Document API). Never the environment
 * or `.env`: those override the file, so an operator's explicit choice still wins (and is reported).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { CitebotError } from '../errors.js';

export function applyToSettingsFile(file: string | undefined, values: Record<string, string | number>): string {
  if (!file?.trim())
    throw new CitebotError('invalid_input', '--apply: CITEBOT_CONFIG is not set, so there is no settings file to write', {
      fix: 'set CITEBOT_CONFIG=./citebot.yaml (it is created) and run again',
    });
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new CitebotError('invalid_input', `--apply: ${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  // An empty (or new) file has no contents: start it as a block mapping.
  if (!doc.contents) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  for (const [key, value] of Object.entries(values)) doc.set(key, value);
  writeFileSync(file, doc.toString());
  return file;
}

/** Settings the environment (or .env) sets to something else: they override the file, so the recommendation does not take effect. */
export function overriddenBy(env: NodeJS.ProcessEnv, values: Record<string, string | number>): string[] {
  return Object.entries(values)
    .filter(([key, value]) => env[key] !== undefined && String(env[key]) !== String(value))
    .map(([key]) => key);
}
