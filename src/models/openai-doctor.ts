/** Doctor's lines for an OpenAI-compatible server: each host (the models it lists, its window) and whether it serves the model. */
import { isConnectionError, oneLine, type Check } from '../errors.js';
import type { HostPool } from './host-pool.js';
import { servedContextLength, servedModels } from './openai-server.js';

export async function checkOpenAIHosts(
  pool: HostPool,
  apiKey: string | undefined,
  name: string,
  model: string,
  role: 'CHAT' | 'EMBED',
): Promise<Check[]> {
  const hosts = pool.states().map((s) => s.host);
  const checks: Check[] = [];
  const missingOn: { host: string; ids: string[] }[] = [];
  let listed = 0;
  let window: number | undefined;
  for (const host of hosts) {
    const hostName = `${role === 'CHAT' ? 'chat' : 'embedding'} server${hosts.length > 1 ? ` ${host}` : ''}`;
    try {
      const served = await servedModels(host, apiKey);
      listed++;
      const ids = served.map((m) => m.id);
      const mine = served.find((m) => m.id === model);
      if (!mine) missingOn.push({ host, ids });
      window ??= servedContextLength(mine);
      checks.push({ name: hostName, status: 'ok', detail: `OpenAI-compatible server at ${host} serves ${ids.join(', ') || 'no model'}` });
    } catch (error) {
      const down = isConnectionError(error);
      checks.push({
        name: hostName,
        // A server without /models (text-embeddings-inference) may still embed: the model line says.
        status: down ? 'failed' : 'warning',
        detail: down ? `nothing answers at ${host}: ${oneLine(error)}` : `${host} does not list its models (${oneLine(error)})`,
        ...(down ? { fix: `start the server, or correct ${role}_BASE_URL` } : {}),
      });
    }
  }
  if (missingOn.length) {
    const { host, ids } = missingOn[0]!;
    checks.push({
      name,
      status: 'failed',
      detail: `${host} does not serve ${model}`,
      fix: ids.length ? `set ${role}_MODEL to one it serves: ${ids.slice(0, 5).join(', ')}` : `load ${model} on the server`,
    });
  } else if (listed) {
    checks.push({ name, status: 'ok', detail: `${model} is served${window ? `, context window ${window} tokens (from the server)` : ''}` });
  } else checks.push({ name, status: 'skipped', detail: `${model}: no server listed its models` });
  return checks;
}
