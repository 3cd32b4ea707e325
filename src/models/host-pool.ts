/**
 * Several servers for one model, behind one `fetch`: the model clients (ollama-js, the OpenAI SDK) are
 * pointed at the first host and given this fetch, which sends each request to the healthy host with the
 * fewest requests in flight. A host that cannot be reached is left out for `retryDownMs` and the request
 * goes to another; after that it is tried again. A 429 or 503 with Retry-After is waited out (on another
 * host at once when there is one). Before a host's first request `admit` may check it (is it the right
 * kind of server, does it serve the same model); a host it refuses is left out and checked again later.
 */
import { isCitebotError, isConnectionError, oneLine } from '../errors.js';
import { log } from '../log.js';

export interface HostPoolOptions {
  /** Base URLs, e.g. http://gpu-1:11434. The first is the one given to the client. */
  hosts: readonly string[];
  /** What the hosts serve, for logs: "Ollama", "the embedding server". */
  label: string;
  /** Checked before a host's first request; a non-retryable CitebotError refuses it (until retryDownMs passed). */
  admit?: (host: string, fetch: typeof globalThis.fetch) => Promise<void>;
  /** How long a host that could not be reached is left out before it is tried again. Default 30 s. */
  retryDownMs?: number;
  /** The longest Retry-After waited out; a longer one is passed to the client as it is. Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface HostState {
  host: string;
  /** `down`: left out until `retryAt`; `refused`: admit refused it (see `error`). */
  state: 'unknown' | 'up' | 'down' | 'refused';
  error?: string;
  requests: number;
}

interface Host extends HostState {
  inFlight: number;
  downUntil: number;
  admitted?: Promise<void>;
  /** Why admit refused it: thrown when no other host is left. */
  refusal?: unknown;
}

const RETRY_STATUSES = new Set([429, 503]);
/** Requests a Retry-After may repeat before its answer is passed on. */
const MAX_WAITS = 5;

/** Retry-After in ms: seconds, or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((done, fail) => {
    if (signal?.aborted) return fail(signal.reason as Error);
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), fail(signal.reason as Error)), { once: true });
  });

export class HostPool {
  private readonly hosts: Host[];
  private next = 0;
  private readonly retryDownMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: HostPoolOptions) {
    if (!options.hosts.length) throw new Error('HostPool needs at least one host');
    this.hosts = options.hosts.map((host) => ({ host, state: 'unknown', requests: 0, inFlight: 0, downUntil: 0 }));
    this.retryDownMs = options.retryDownMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  }

  /** The base URL to give the client: requests to it are spread over every host. */
  get baseUrl(): string {
    return this.hosts[0]!.host;
  }

  get size(): number {
    return this.hosts.length;
  }

  states(): HostState[] {
    return this.hosts.map(({ host, state, error, requests }) => ({ host, state, requests, ...(error ? { error } : {}) }));
  }

  /** Run `admit` on every host now (doctor): each host's state afterwards. */
  async admitAll(): Promise<HostState[]> {
    await Promise.all(this.hosts.map((h) => this.admit(h).catch(() => undefined)));
    return this.states();
  }

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = url.startsWith(this.baseUrl) ? url.slice(this.baseUrl.length) : undefined;
    // A request elsewhere (or a body that cannot be sent twice) goes as it is.
    if (path === undefined) return fetch(input, init);
    const resendable = init?.body === undefined || init.body === null || typeof init.body === 'string';
    const tried = new Set<Host>();
    let waits = 0;
    for (;;) {
      const host = await this.pick(tried);
      host.inFlight++;
      host.requests++;
      let response: Response;
      try {
        response = await fetch(host.host + path, init);
      } catch (error) {
        if (init?.signal?.aborted || !isConnectionError(error)) throw error;
        this.markDown(host, error);
        tried.add(host);
        if (!resendable || !this.hasCandidate(tried)) throw error;
        continue;
      } finally {
        host.inFlight--;
      }
      host.state = 'up';
      const wait = RETRY_STATUSES.has(response.status) ? retryAfterMs(response.headers.get('retry-after')) : undefined;
      if (wait === undefined || wait > this.maxRetryAfterMs || !resendable || waits >= MAX_WAITS) return response;
      await response.arrayBuffer().catch(() => undefined);
      waits++;
      // Another host may answer at once; when there is none, wait as told.
      const elsewhere = this.hosts.some((h) => h !== host && this.usable(h));
      if (!elsewhere) {
        log.debug(`${this.options.label} at ${host.host} answered ${response.status}; retrying after ${Math.round(wait)} ms`);
        await sleep(wait, init?.signal);
      } else tried.add(host);
      if (tried.size >= this.hosts.length) tried.clear();
    }
  };

  private usable(host: Host, now = Date.now()): boolean {
    return host.downUntil <= now;
  }

  private hasCandidate(tried: Set<Host>): boolean {
    return this.hosts.some((h) => !tried.has(h) && this.usable(h));
  }

  /** The healthy, admitted host with the fewest requests in flight (round robin among equals), not yet tried. */
  private async pick(tried: Set<Host>): Promise<Host> {
    for (;;) {
      const now = Date.now();
      let candidates = this.hosts.filter((h) => !tried.has(h) && this.usable(h, now));
      // Every host is down: try the one that comes back first rather than fail without a request.
      if (!candidates.length) {
        const waiting = this.hosts.filter((h) => !tried.has(h) && h.state !== 'refused');
        if (!waiting.length) throw this.hosts.find((h) => h.refusal)?.refusal ?? new Error(`no ${this.options.label} left to try`);
        candidates = [waiting.reduce((a, b) => (a.downUntil <= b.downUntil ? a : b))];
      }
      const least = Math.min(...candidates.map((h) => h.inFlight));
      const start = this.next++ % this.hosts.length;
      const ordered = [...this.hosts.slice(start), ...this.hosts.slice(0, start)];
      const host = ordered.find((h) => candidates.includes(h) && h.inFlight === least)!;
      try {
        await this.admit(host);
        return host;
      } catch (error) {
        tried.add(host);
        if (isConnectionError(error)) this.markDown(host, error);
        else if (host.state !== 'refused') throw error;
        // The last host refused too: its reason (not Ollama, another model digest) is what the caller must see.
        if (!this.hasCandidate(tried)) throw error;
      }
    }
  }

  private admit(host: Host): Promise<void> {
    const admit = this.options.admit;
    if (!admit) return Promise.resolve();
    // A refusal is not for ever: the model may have been pulled since.
    if (host.state === 'refused' && host.downUntil <= Date.now()) host.admitted = undefined;
    if (!host.admitted) {
      const admitted = admit(host.host, fetch);
      host.admitted = admitted;
      admitted.then(
        () => ((host.state = 'up'), (host.refusal = undefined)),
        (error: unknown) => {
          if (isCitebotError(error) && !error.retryable) {
            host.state = 'refused';
            host.refusal = error;
            host.downUntil = Date.now() + this.retryDownMs;
            host.error = oneLine(error);
            if (this.hosts.length > 1) log.warn(`${this.options.label} at ${host.host} is left out: ${host.error}`);
          } else if (host.admitted === admitted) host.admitted = undefined; // checked again next time
        },
      );
    }
    return host.admitted;
  }

  private markDown(host: Host, error: unknown): void {
    host.downUntil = Date.now() + this.retryDownMs;
    host.state = 'down';
    host.error = oneLine(error);
    if (this.hosts.length > 1)
      log.warn(`${this.options.label} at ${host.host} is not reachable, left out for ${this.retryDownMs / 1000} s`);
  }
}
