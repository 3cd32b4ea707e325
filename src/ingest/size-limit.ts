import { IngestError } from './types.js';

const MB = 1024 * 1024;

/** "61 MB"; one decimal where whole megabytes would hide the difference ("50.4 MB, the limit is 50 MB"). */
export function formatMegabytes(bytes: number, next?: number): string {
  const whole = `${Math.round(bytes / MB)} MB`;
  return next !== undefined && Math.round(next / MB) === Math.round(bytes / MB) ? `${(bytes / MB).toFixed(1)} MB` : whole;
}

/**
 * The one refusal for a file over MAX_FILE_MB, whoever notices it: the indexer (declared size), a
 * download that turns out longer than declared (`size` unknown), or the parser (bytes in hand).
 */
export function tooLarge(limitBytes: number, size?: number): IngestError {
  const limit = formatMegabytes(limitBytes);
  return new IngestError(
    'skipped',
    size === undefined
      ? `too large: over ${limit} (MAX_FILE_MB)`
      : `too large: ${formatMegabytes(size, limitBytes)}, the limit is ${limit} (MAX_FILE_MB)`,
  );
}
