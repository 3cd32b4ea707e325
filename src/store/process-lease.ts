import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { oneLine } from '../errors.js';
import { log } from '../log.js';
import type { LeaseStore } from './ports.js';

/**
 * This process's lease: a random owner id (never a pid: pids recur in containers and mean nothing
 * on another host), taken on first need and renewed in the background. Everything this process
 * writes in flight carries the owner id; another process recovers it only once the lease expired.
 * A lease found expired at renewal (the process froze, or lost the database too long) is never
 * revived: a new owner id is taken, so writes begun under the old one are fenced off.
 */
export class ProcessLease {
  private current?: Promise<string>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly leases: LeaseStore,
    readonly ttlMs: number,
  ) {}

  /** The owner id under which this process writes now (a lease is taken on first call). */
  owner(): Promise<string> {
    this.current ??= this.take();
    return this.current;
  }

  private async take(): Promise<string> {
    const owner = randomUUID();
    try {
      await this.leases.acquire(owner, this.ttlMs, `${hostname()}:${process.pid}`);
    } catch (error) {
      this.current = undefined; // the database may come back: try again on the next need
      throw error;
    }
    this.timer ??= setInterval(() => void this.renew(), Math.max(200, Math.floor(this.ttlMs / 3))).unref();
    return owner;
  }

  private async renew(): Promise<void> {
    const current = this.current;
    if (!current) return;
    const owner = await current.catch(() => undefined);
    if (!owner) return;
    try {
      if (await this.leases.renew(owner, this.ttlMs)) return;
      log.warn(`lease ${owner} had expired (frozen or cut off too long): its work in flight is left to recovery; taking a new one`);
      if (this.current === current) this.current = undefined;
    } catch (error) {
      log.warn(`could not renew this process's lease: ${oneLine(error)}`);
    }
  }

  /** Stop renewing and give the lease back (clean shutdown: nothing of ours is left to recover). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const owner = await this.current?.catch(() => undefined);
    this.current = undefined;
    if (owner) await this.leases.release(owner).catch(() => {});
  }
}
