/** Exit codes of the citebot CLI (documented in the README). */
export const ExitCode = {
  ok: 0,
  /** Some files failed or were skipped; the others were indexed. A forget that found nothing. */
  partial: 1,
  /** Bad arguments or settings. */
  usage: 2,
  /** A service (Ollama, Chroma) is down or refused: nothing half-written; run again to finish. */
  unavailable: 3,
} as const;
