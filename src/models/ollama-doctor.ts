/** Doctor's lines for Ollama: each host (its version, or why it is left out) and whether the model is pulled on every host. */
import { oneLine, type Check } from '../errors.js';
import { canonicalModelName } from './embedding-profiles.js';
import type { HostPool } from './host-pool.js';

const TIMEOUT_MS = 5000;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${new URL(url).pathname} answered ${response.status}`);
  return (await response.json()) as T;
}

export async function checkOllama(pool: HostPool, name: string, model: string): Promise<Check[]> {
  const states = await pool.admitAll();
  const checks: Check[] = [];
  const missingOn: string[] = [];
  let reachable = 0;
  for (const state of states) {
    const hostName = states.length > 1 ? `ollama ${state.host}` : 'ollama';
    if (state.state === 'down') {
      checks.push({
        name: hostName,
        status: 'failed',
        detail: `Ollama is not reachable at ${state.host}: ${state.error}`,
        fix: 'start Ollama (ollama serve) or correct OLLAMA_BASE_URL',
      });
      continue;
    }
    try {
      const { version } = await getJson<{ version: string }>(`${state.host}/api/version`);
      const { models } = await getJson<{ models: { name: string }[] }>(`${state.host}/api/tags`);
      reachable++;
      if (!models.some((m) => canonicalModelName(m.name) === canonicalModelName(model))) missingOn.push(state.host);
      checks.push(
        state.state === 'refused'
          ? {
              name: hostName,
              status: 'failed',
              detail: `Ollama ${version} at ${state.host} is left out: ${state.error}`,
              fix: 'see the reason; the other hosts carry on',
            }
          : { name: hostName, status: 'ok', detail: `Ollama ${version} at ${state.host}` },
      );
    } catch (error) {
      checks.push({
        name: hostName,
        status: 'failed',
        detail: state.error ?? `Ollama is not reachable at ${state.host}: ${oneLine(error)}`,
        fix: 'start Ollama (ollama serve) or correct OLLAMA_BASE_URL',
      });
    }
  }
  if (!reachable) checks.push({ name, status: 'skipped', detail: `${model}: Ollama is not reachable` });
  else if (missingOn.length)
    checks.push({
      name,
      status: 'failed',
      detail: `${model} is not pulled${states.length > 1 ? ` on ${missingOn.join(', ')}` : ''}`,
      fix: `ollama pull ${model}`,
    });
  else checks.push({ name, status: 'ok', detail: `${model} is pulled${states.length > 1 ? ` on ${reachable} hosts` : ''}` });
  return checks;
}
