import { IngestError, type LoaderLimits } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import { readZipDirectory } from './zip-directory.js';

const MB = 1024 * 1024;
// Below this the expansion ratio is irrelevant: a small archive cannot exhaust memory however well it compresses.
const RATIO_CHECK_FLOOR_BYTES = 16 * MB;

/**
 * Refuses a ZIP-based file (docx, pptx, xlsx) that would expand to more than the limits allow,
 * reading only the central directory. Sizes there are declared by the file itself and could lie;
 * the parser worker's heap cap is the backstop for that.
 */
export async function assertZipIsSafe(bytes: Uint8Array, limits: LoaderLimits): Promise<void> {
  let entries;
  try {
    entries = await readZipDirectory(bytes);
  } catch (error) {
    throw new IngestError('failed', `damaged file: ${asClause(oneLineMessage(error))}`);
  }
  const expanded = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  const ratio = expanded / Math.max(bytes.byteLength, 1);
  const tooBig = expanded > limits.maxUncompressedBytes;
  const tooCompressed = expanded > RATIO_CHECK_FLOOR_BYTES && ratio > limits.maxCompressionRatio;
  if (tooBig || tooCompressed) {
    throw new IngestError('failed', `refused: the archive expands to ${Math.round(expanded / MB)} MB (a decompression bomb?)`);
  }
}
