import type { DocumentKind, LoaderLimits, Section } from '../types.js';

/** What a loader knows about the file besides its bytes. */
export interface LoadContext {
  fileName: string;
  limits: LoaderLimits;
  /** When the parser pool stops reading this file (Date.now() time); unset: `limits.timeoutMs` from now. */
  deadline?: number;
}

/**
 * Turns the bytes of one kind of file into sections of text with their locations.
 * Loaders throw IngestError for files they refuse; sections they return have normalized text.
 */
export interface DocumentLoader {
  readonly kind: DocumentKind;
  load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]>;
}
