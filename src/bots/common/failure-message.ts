import { isCitebotError, isConnectionError } from '../../errors.js';
import { log } from '../../log.js';
import { oneLine } from '../../errors.js';
import { messages, type Language, type Messages } from '../../messages/index.js';

/** What citebot was doing when it failed, in the catalogue's words. */
export type Doing = Exclude<keyof Messages['failure']['doing'], 'command'> | { command: string };

/**
 * The one short line a chat user sees when something went wrong, in `language`. CitebotErrors are
 * written for people and shown as they are (their reason stays English); anything else is logged in
 * full and replaced by a generic line, so no stack trace or internal detail reaches a channel.
 */
export function failureMessage(error: unknown, doing: Doing, language: Language = 'en'): string {
  const { failure } = messages(language);
  const what = typeof doing === 'string' ? failure.doing[doing] : failure.doing.command(doing.command);
  if (isCitebotError(error)) {
    if (error.code === 'model_unavailable' || error.code === 'chroma_unavailable') return failure.withDoctor(what, error.message);
    return failure.withReason(what, error.message);
  }
  if (isConnectionError(error)) return failure.unreachable(what);
  const english = typeof doing === 'string' ? messages('en').failure.doing[doing] : `run /${doing.command}`;
  log.error(`unexpected failure while trying to ${english}: ${oneLine(error)}`, {
    stack: error instanceof Error ? error.stack : undefined,
  });
  return failure.internal(what);
}
