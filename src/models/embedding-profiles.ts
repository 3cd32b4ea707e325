/**
 * What each embedding model expects in front of the text. Retrieval-tuned models are trained with
 * different instructions for documents and for queries; using the wrong one (or none) costs recall.
 * Adding a model is one line. Models not listed get no prefix.
 */
export interface EmbeddingProfile {
  document: string;
  query: string;
}

const RETRIEVAL_QUERY = 'Represent this sentence for searching relevant passages: ';

const PROFILES: Record<string, EmbeddingProfile> = {
  'nomic-embed-text': { document: 'search_document: ', query: 'search_query: ' },
  'mxbai-embed-large': { document: '', query: RETRIEVAL_QUERY },
  'snowflake-arctic-embed': { document: '', query: RETRIEVAL_QUERY },
  'snowflake-arctic-embed2': { document: '', query: '' },
  'bge-m3': { document: '', query: '' },
  'bge-large': { document: '', query: RETRIEVAL_QUERY },
  'all-minilm': { document: '', query: '' },
  'granite-embedding': { document: '', query: '' },
  'paraphrase-multilingual': { document: '', query: '' },
  embeddinggemma: { document: 'title: none | text: ', query: 'task: search result | query: ' },
  'qwen3-embedding': {
    document: '',
    query: 'Instruct: Given a question, retrieve passages that answer it\nQuery: ',
  },
};

/** "library/nomic-embed-text:latest" → "nomic-embed-text". */
export function baseModelName(model: string): string {
  const withoutTag = model.split(':')[0] ?? model;
  return (withoutTag.split('/').pop() ?? withoutTag).toLowerCase();
}

/** Ollama treats "x" and "x:latest" as the same model; so does citebot when it compares models. */
export function canonicalModelName(model: string): string {
  return model.endsWith(':latest') ? model.slice(0, -':latest'.length) : model;
}

export function embeddingProfile(model: string): EmbeddingProfile {
  return PROFILES[baseModelName(model)] ?? { document: '', query: '' };
}

/**
 * The name the index records for the model that embedded it: the model, prefixed with its provider when
 * that is not Ollama ("openai:BAAI/bge-m3"), so the same name on another server still needs `reindex`
 * (another runtime may pool, normalise or quantise differently). Ollama's names stay bare, as indexes recorded them.
 */
export function indexedModelName(embeddings: { provider: string; model: string }): string {
  const model = canonicalModelName(embeddings.model);
  return embeddings.provider === 'ollama' ? model : `${embeddings.provider}:${model}`;
}

/** "bge-m3 (openai)" for a recorded name, "nomic-embed-text (ollama)" for a bare one: how a mismatch is told. */
export function describeIndexedModel(name: string): string {
  const [provider, model] = /^(openai):(.+)$/u.exec(name)?.slice(1) ?? ['ollama', name];
  return `${model} (${provider})`;
}
