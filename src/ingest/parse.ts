import { detectKind } from './detect.js';
import { asClause, oneLineMessage } from './loaders/error-message.js';
import { loaderFor } from './loaders/index.js';
import { dropEmptySections } from './loaders/normalize.js';
import { tooLarge } from './size-limit.js';
import { DEFAULT_LOADER_LIMITS, IngestError, type LoaderLimits, type ParsedDocument } from './types.js';

/**
 * The same work as ParserPool.parse in the calling thread: no memory cap and no timeout.
 * For tests and callers that already isolate the work.
 */
export async function parseDocumentInProcess(
  bytes: Uint8Array,
  fileName: string,
  limits: LoaderLimits = DEFAULT_LOADER_LIMITS,
  deadline?: number,
): Promise<ParsedDocument> {
  try {
    assertReadableSize(bytes, limits);
    const { kind, mimeType } = await detectKind(bytes, fileName);
    const loader = await loaderFor(kind);
    const sections = dropEmptySections(await loader.load(bytes, { fileName, limits, deadline }));
    if (sections.length === 0) throw new IngestError('skipped', 'empty document: no text found');
    const ocrPages = new Set(sections.filter((s) => s.ocr).map((s) => JSON.stringify(s.location))).size;
    return { kind, mimeType, sections, ocrPages };
  } catch (error) {
    throw toIngestError(error);
  }
}

/** Empty and oversized files are refused before any parser sees them. */
export function assertReadableSize(bytes: Uint8Array, limits: LoaderLimits): void {
  if (bytes.byteLength === 0) throw new IngestError('skipped', 'empty file');
  if (bytes.byteLength > limits.maxFileBytes) throw tooLarge(limits.maxFileBytes, bytes.byteLength);
}

function toIngestError(error: unknown): IngestError {
  return error instanceof IngestError ? error : new IngestError('failed', `could not read the file: ${asClause(oneLineMessage(error))}`);
}
