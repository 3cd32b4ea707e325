import { oneLine } from '../errors.js';
import { log } from '../log.js';
import type { Job, JobStore } from './ports.js';
import type { ProcessLease } from './process-lease.js';

/** What runs a job of one kind from its payload alone: after a crash, or on another process. */
export type JobHandler = (payload: unknown, job: Job) => Promise<unknown>;

export interface JobSpec {
  /** Jobs of one lane run one at a time, in order: a scope. */
  lane: string;
  kind: string;
  /** Enough to run the job again from scratch with the kind's handler (JSON). */
  payload?: unknown;
}

interface Waiter {
  kind: string;
  work?: () => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/** How often queued work is looked for while a job submitted here waits for its turn. */
const POLL_MS = 250;
/** How often a long-running process (serve) looks for work others left: a claim is a short write transaction. */
const BACKGROUND_POLL_MS = 2000;
/** Lanes run at once by one process. */
const MAX_RUNNING = 4;

/**
 * The durable job queue: every job is a row (JobStore), so it survives the process that queued
 * it. A job submitted with its work runs that work here when its lane's turn comes; a job of a
 * kind with a registered handler is resumable: if its runner dies, whichever process claims it next
 * runs it from its payload. A job without a handler fails once its submitter's lease expires, so it
 * never blocks its lane.
 */
export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly waiting = new Map<string, Waiter>();
  private readonly running = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private pumping?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly lease: ProcessLease,
  ) {}

  /** Make jobs of `kind` resumable by this process. */
  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Look for work left by others (a dead process's jobs) for as long as this process runs (serve). */
  start(): void {
    this.polling = true;
    this.schedule();
  }

  /**
   * Queue a job. With `work`, this process runs it (and only it, unless its kind has a handler);
   * `ahead` counts the jobs before it in its lane; `done` settles with its result.
   */
  async enqueue<T>(spec: JobSpec, work?: () => Promise<T>): Promise<{ job: Job; ahead: number; done: Promise<T> }> {
    if (this.closed) throw new Error('citebot is shutting down');
    if (!work && !this.handlers.has(spec.kind)) throw new Error(`no handler for jobs of kind ${spec.kind}`);
    const owner = await this.lease.owner();
    const job = await this.store.enqueue(
      { lane: spec.lane, kind: spec.kind, payload: spec.payload ?? null, resumable: this.handlers.has(spec.kind) },
      owner,
    );
    const done = new Promise<T>((resolve, reject) =>
      this.waiting.set(job.id, { kind: spec.kind, work, resolve: resolve as (r: unknown) => void, reject }),
    );
    const ahead = await this.store.ahead(job.id);
    this.schedule();
    void this.pump();
    return { job, ahead, done };
  }

  /**
   * Stop claiming. Jobs running here are not waited for (Ctrl-C must stop an ingest): once this
   * process's lease is released, the next process resumes them or, for a submitter's own work, fails them.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.pumping;
    for (const [id, waiter] of this.waiting)
      if (!this.running.has(id)) waiter.reject(new Error('citebot stopped before this job ran; it runs on the next start'));
    this.waiting.clear();
  }

  private schedule(): void {
    if (this.closed || this.timer || !(this.polling || this.waiting.size)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.pump().finally(() => this.schedule());
      },
      this.waiting.size ? POLL_MS : BACKGROUND_POLL_MS,
    );
    // A job waited for here keeps the process alive (a CLI run whose lane is still busy); mere polling does not.
    if (!this.waiting.size) this.timer.unref();
  }

  /** Claim and start what may run now; settle waiters whose job another process ran. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.claimAll();
          await this.settleElsewhere();
        } while (this.again && !this.closed);
      } catch (error) {
        log.warn(`job queue: ${oneLine(error)}; trying again`);
      } finally {
        this.pumping = undefined;
      }
    })();
    return this.pumping;
  }

  private async claimAll(): Promise<void> {
    while (!this.closed && this.running.size < MAX_RUNNING) {
      const owner = await this.lease.owner();
      const own = [...this.waiting.keys()].filter((id) => !this.running.has(id));
      const kinds = this.polling ? [...this.handlers.keys()] : [];
      if (own.length === 0 && kinds.length === 0) return;
      const job = await this.store.claim(owner, kinds, own);
      if (!job) return;
      this.run(job, owner);
    }
  }

  private run(job: Job, owner: string): void {
    const waiter = this.waiting.get(job.id);
    const handler = this.handlers.get(job.kind);
    const work = waiter?.work ?? (handler ? () => handler(job.payload, job) : undefined);
    const running = (async () => {
      let outcome: { result: unknown } | { error: string };
      try {
        if (!work) throw new Error(`no handler for jobs of kind ${job.kind}`);
        const result = await work();
        outcome = { result: result ?? null };
        waiter?.resolve(result);
      } catch (error) {
        outcome = { error: oneLine(error) };
        waiter?.reject(error);
      }
      this.waiting.delete(job.id);
      // False: this job was taken over (our lease had expired); the new runner's outcome stands.
      const kept = await this.store.finish(job.id, owner, outcome).catch((error: unknown) => {
        log.warn(`job ${job.kind} in ${job.lane}: outcome not saved: ${oneLine(error)}`);
        return false;
      });
      if (!kept) log.warn(`job ${job.kind} in ${job.lane} was taken over by another process while it ran here`);
    })().finally(() => {
      this.running.delete(job.id);
      void this.pump();
    });
    this.running.set(job.id, running);
  }

  /** A resumable job submitted here may be run by another process: its row says when it is done. */
  private async settleElsewhere(): Promise<void> {
    for (const [id, waiter] of this.waiting) {
      if (this.running.has(id)) continue;
      const job = await this.store.get(id);
      if (job?.status === 'done') waiter.resolve(job.result);
      else if (job?.status === 'failed') waiter.reject(new Error(job.error ?? 'failed'));
      else continue;
      this.waiting.delete(id);
    }
  }
}
