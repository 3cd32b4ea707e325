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

/**
 * What the embedding model sees for a chunk: its file name and section first, so a chunk that
 * never names its subject ("It was founded in 1636") is still found by questions about it.
 * Ingest and reindex both use this, so the two always embed the same input.
 */
export function embeddingInput(chunk: StoredChunk): string {
  const where = [chunk.metadata.source, chunk.metadata.section ?? chunk.metadata.sheet].filter(Boolean).join(' · ');
  return `${where}\n${chunk.text}`;
}
