import { CitebotError } from '../errors.js';

/**
 * A write refused because its owner's lease expired: the process froze or lost the database for
 * longer than its lease, and another may already have recovered its work. It must stop, not retry.
 */
export class LeaseLostError extends CitebotError {
  constructor(owner: string) {
    super('lease_lost', `this process's lease (${owner}) expired before its write was committed`, {
      fix: 'nothing to do: the work is taken over elsewhere or on the next start; check for a frozen process or a slow database',
    });
  }
}
