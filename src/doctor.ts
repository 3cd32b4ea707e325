import type { CitebotCore } from './core.js';
import { failedCheck, oneLine, type Check } from './errors.js';
import { calibrationChecks } from './eval/calibration-record.js';
import { checkReranker } from './chains/rerankers/check.js';
import { describeIndexedModel } from './models/embedding-profiles.js';
import { checkDiscord, checkSlack } from './bots/platform-checks.js';
import { checkPostgres, isPostgresState } from './store/postgres/check.js';

export type { Check } from './errors.js';

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms).unref()),
  ]);

/** Check every dependency citebot needs and say how to fix what is broken. */
export async function runDoctor(core: CitebotCore): Promise<Check[]> {
  const s = core.settings;
  const checks: Check[] = [];
  // PostgreSQL (DATABASE_URL) is a service of its own; SQLite is a file under DATA_DIR and needs no line.
  if (isPostgresState(core.state))
    checks.push(await withTimeout(checkPostgres(core.state), 10_000, 'PostgreSQL').catch((e: unknown) => failedCheck('database', e)));

  // Each provider checks its hosts and its model; chat and embeddings on the same Ollama say the host once.
  const modelChecks = [...(await core.embeddings.check()), ...(await core.chatModels.check())];
  checks.push(...modelChecks.filter((c, i) => modelChecks.findIndex((o) => o.name === c.name && o.detail === c.detail) === i));
  const embedderOk = modelChecks.some((c) => c.name === 'embedding model' && c.status === 'ok');

  let chromaOk = false;
  try {
    const url = await withTimeout(core.index.heartbeat(), 5000, 'Chroma');
    chromaOk = true;
    checks.push({ name: 'chroma', status: 'ok', detail: `Chroma at ${url}${s.CHROMA_URL ? '' : ' (embedded)'}` });
  } catch (error) {
    // The error's own fix when it has one (a server that is not Chroma needs another URL, not a restart).
    checks.push(
      failedCheck(
        'chroma',
        error,
        s.CHROMA_URL ? 'start Chroma or correct CHROMA_URL' : 'see DATA_DIR/chroma/server.log, or set CHROMA_URL',
      ),
    );
  }

  const index = chromaOk ? core.index : undefined;
  const built = await index?.builtWith();
  if (!index) {
    checks.push({ name: 'index', status: 'skipped', detail: 'Chroma is not reachable' });
  } else if (built && built !== index.model) {
    checks.push({
      name: 'index',
      status: 'failed',
      detail: `the index was built with ${describeIndexedModel(built)}, EMBED_PROVIDER and EMBED_MODEL name ${describeIndexedModel(index.model)}`,
      fix: `citebot reindex (or set EMBED_PROVIDER and EMBED_MODEL back to ${describeIndexedModel(built)})`,
    });
  } else if (!embedderOk) {
    checks.push({
      name: 'index',
      status: 'skipped',
      detail: `${await index.chunkCount()} chunks; collection not checked without the embedding model`,
    });
  } else {
    try {
      await core.openIndex();
      checks.push({
        name: 'index',
        status: 'ok',
        detail: `${await index.chunkCount()} chunks in ${(await index.documents()).length} documents, collection ${await index.collectionName()} (${s.EMBED_MODEL})`,
      });
    } catch (error) {
      checks.push({ name: 'index', status: 'failed', detail: oneLine(error), fix: 'citebot reindex' });
    }
  }

  // Scopes calibrated by `eval --generate`: a warning once their content changed (only scopes ever calibrated are listed).
  try {
    checks.push(...(await calibrationChecks(s.DATA_DIR, core.index)));
  } catch (error) {
    checks.push({ name: 'calibration', status: 'warning', detail: `could not be checked: ${oneLine(error)}` });
  }

  // The reranker is optional: without it answers keep fusion order, so it warns instead of failing.
  const reranker = await checkReranker(s);
  checks.push(
    reranker.status === 'failed'
      ? { name: 'reranker', ...reranker, status: 'warning', detail: `${reranker.detail} (answers use fusion order)` }
      : { name: 'reranker', ...reranker },
  );
  const [slack, discord] = await Promise.all([checkSlack(s), checkDiscord(s)]);
  checks.push({ name: 'slack', ...slack }, { name: 'discord', ...discord });
  return checks;
}
