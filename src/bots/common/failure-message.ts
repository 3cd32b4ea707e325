import { isCitebotError, isConnectionError } from '../../errors.js';
import { log } from '../../log.js';
import { oneLine } from '../../errors.js';

/**
 * The one short line a chat user sees when something went wrong. CitebotErrors are written for
 * people and shown as they are; anything else is logged in full and replaced by a generic line, so
 * no stack trace or internal detail reaches a channel.
 */
export function failureMessage(error: unknown, doing: string): string {
  if (isCitebotError(error)) {
    if (error.code === 'ollama_unavailable' || error.code === 'chroma_unavailable') {
      return `⚠️ citebot could not ${doing}: ${error.message} An admin can run \`citebot doctor\`.`;
    }
    return `⚠️ citebot could not ${doing}: ${error.message}`;
  }
  if (isConnectionError(error))
    return `⚠️ citebot could not ${doing}: a service it needs is not reachable. An admin can run \`citebot doctor\`.`;
  log.error(`unexpected failure while trying to ${doing}: ${oneLine(error)}`, { stack: error instanceof Error ? error.stack : undefined });
  return `⚠️ citebot could not ${doing} because of an internal error. It has been logged; try again in a moment.`;
}
