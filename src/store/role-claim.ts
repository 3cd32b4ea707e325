import { oneLine } from '../errors.js';
import { log } from '../log.js';
import type { LeaseStore } from './ports.js';
import type { ProcessLease } from './process-lease.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * A role one process at a time may hold across replicas (the Discord gateway, whose every event
 * reaches every session), held under this process's lease. A standby asks every `pollMs` and takes
 * the role once its holder's lease has expired; a holder that froze past its lease finds the role
 * gone and must stop.
 */
export class RoleClaim {
  constructor(
    readonly role: string,
    private readonly leases: LeaseStore,
    private readonly lease: ProcessLease,
    private readonly pollMs = Math.min(2000, Math.max(200, Math.floor(lease.ttlMs / 3))),
  ) {}

  /** Whether this process holds the role now (taking it if it is free). */
  async claim(): Promise<boolean> {
    const owner = await this.lease.owner();
    return (await this.leases.claimRole(this.role, owner)) === owner;
  }

  /** Resolves once this process holds the role; says once that it stands by. */
  async held(): Promise<void> {
    let said = false;
    for (;;) {
      if (await this.ask()) {
        if (said) log.info(`${this.role}: taking over from a citebot process that stopped`);
        return;
      }
      if (!said) log.info(`${this.role}: another citebot process holds it; standing by to take over`);
      said = true;
      await sleep(this.pollMs);
    }
  }

  /** Resolves when this process no longer holds the role, or when `until` settles. */
  async lost(until: Promise<unknown>): Promise<boolean> {
    let done = false;
    void until.finally(() => (done = true));
    for (;;) {
      await Promise.race([sleep(this.pollMs), until]);
      if (done) return false;
      if ((await this.ask()) === false) return true;
    }
  }

  /** claim(), with an unreachable database read as "ask again" (undefined). */
  private async ask(): Promise<boolean | undefined> {
    return this.claim().catch((error: unknown) => {
      log.warn(`${this.role}: ${oneLine(error)}; asking again`);
      return undefined;
    });
  }
}
