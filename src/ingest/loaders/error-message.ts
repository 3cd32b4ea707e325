const MAX_REASON_LENGTH = 200;

/** The first line of an error's message, short enough for a status line; never a stack trace. */
export function oneLineMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine =
    raw
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  const text = firstLine || (error instanceof Error ? error.name : 'unknown error');
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}

/** "Invalid PDF structure." -> "invalid PDF structure": reads better after a colon. */
export function asClause(message: string): string {
  const trimmed = message.replace(/[.\s]+$/, '');
  return /^[A-Z][a-z]/.test(trimmed) ? trimmed[0]!.toLowerCase() + trimmed.slice(1) : trimmed;
}
