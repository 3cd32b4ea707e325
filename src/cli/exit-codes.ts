import { isCitebotError, type CitebotErrorCode } from '../errors.js';

/** Exit codes of the citebot CLI (the README has the same table). */
export const ExitCode = {
  ok: 0,
  /** Some files failed or were skipped; the others were indexed. A forget that found nothing. */
  partial: 1,
  /** Bad arguments or settings, or an index that needs `citebot reindex`: the operator must change something. */
  usage: 2,
  /** A service (the model server, Chroma, a reranker, a chat platform) is down or refused: nothing half-written; run again to finish. */
  unavailable: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The one table from error codes to exit codes. */
const EXIT_FOR: Record<CitebotErrorCode, ExitCodeValue> = {
  invalid_input: ExitCode.usage,
  unauthorized: ExitCode.usage,
  rate_limited: ExitCode.unavailable,
  invalid_settings: ExitCode.usage,
  index_model_mismatch: ExitCode.usage,
  not_found: ExitCode.partial,
  model_unavailable: ExitCode.unavailable,
  model_missing: ExitCode.unavailable,
  model_failed: ExitCode.unavailable,
  chroma_unavailable: ExitCode.unavailable,
  reranker_unavailable: ExitCode.unavailable,
  platform_unavailable: ExitCode.unavailable,
  lease_lost: ExitCode.unavailable,
  database_unavailable: ExitCode.unavailable,
  platform_rejected: ExitCode.usage,
};

/** How the CLI exits for an error that ended a command. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  return isCitebotError(error) ? EXIT_FOR[error.code] : ExitCode.unavailable;
}
