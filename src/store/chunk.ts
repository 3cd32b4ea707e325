/** Flat chunk metadata, as stored in Chroma and the keyword index (see DESIGN.md, data contracts). */
export interface ChunkMetadata {
  /** Access boundary, e.g. slack:T123:C456. Every retrieval filters on it. */
  scope: string;
  docId: string;
  /** File name shown in citations. */
  source: string;
  /** Where a reader opens the file: a permalink, message link or path. */
  url: string;
  chunkIndex: number;
  /** sha256 of the whole file's bytes. */
  contentHash: string;
  mimeType: string;
  ingestedAt: string;
  page?: number;
  slide?: number;
  sheet?: string;
  section?: string;
  uploadedBy?: string;
  uploadedAt?: string;
  /** A conversation chunk's message: its platform id, author's name and ISO time (location "author · date"). */
  messageId?: string;
  author?: string;
  sentAt?: string;
}

export interface StoredChunk {
  id: string;
  text: string;
  metadata: ChunkMetadata;
}

/** Chroma rejects undefined and null metadata values; drop them. */
export function flatMetadata(metadata: ChunkMetadata): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(metadata)) if (value !== undefined && value !== null) flat[key] = value;
  return flat;
}

/** Words that name no subject: a file called "passage-538.txt", "IMG_2034.jpg" or "scan (3).pdf" says nothing about its text. */
const GENERIC_NAME_WORDS = new Set(
  (
    'passage document doc docs file files untitled image img scan scanned screenshot photo pic export download attachment ' +
    'new copy page chunk text part draft final version ver rev tmp temp'
  ).split(' '),
);

/**
 * Whether a file name says what the file is about: some word of it (letters, any script) that is not a
 * generic word, an extension, a number or a hex id. Only such a name helps the embedding model.
 */
export function nameCarriesSubject(source: string): boolean {
  const stem = source.replace(/^.*[\\/]/u, '').replace(/\.[^.]+$/u, '');
  const words = stem.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.some((w) => /\p{L}/u.test(w) && !GENERIC_NAME_WORDS.has(w) && !/^(?=.*\d)[0-9a-f]{6,}$/u.test(w));
}

/**
 * What the embedding model sees for a chunk: its file name and section first, so a chunk that
 * never names its subject ("It was founded in 1636") is still found by questions about it. A name
 * that names nothing ("passage-538.txt") is left out: it only adds the same noise to every chunk.
 * Ingest and reindex both use this, so the two always embed the same input.
 */
export function embeddingInput(chunk: StoredChunk): string {
  const name = nameCarriesSubject(chunk.metadata.source) ? chunk.metadata.source : undefined;
  const where = [name, chunk.metadata.section ?? chunk.metadata.sheet].filter(Boolean).join(' · ');
  return where ? `${where}\n${chunk.text}` : chunk.text;
}
