import { oneLine } from '../errors.js';
import { log } from '../log.js';

/** What `serve` needs to answer a question now. */
export type DependencyName = 'embeddings' | 'chat' | 'chroma';

/** `checking` until the first probe has answered. */
export type DependencyState = 'ready' | 'down' | 'checking';

export interface DependencyHealth {
  state: DependencyState;
  /** One line: what answers where, or why it does not and how to fix it. */
  detail: string;
}

/** One probe round: each dependency's state, from as few requests as possible (see dependencyProbe). */
export type ProbeRound = () => Promise<Record<DependencyName, Omit<DependencyHealth, 'state'> & { ok: boolean }>>;

/** What GET /healthz answers. `ok`: the process is alive; `ready`: it can answer a question now. */
export interface HealthReport {
  ok: true;
  ready: boolean;
  dependencies: Record<DependencyName, DependencyHealth>;
}

const LABEL: Record<DependencyName, string> = { embeddings: 'embedding model', chat: 'chat model', chroma: 'Chroma' };

/**
 * The dependencies' last known states, probed every `intervalMs` (one request to Ollama and one to
 * Chroma a round, so the cost stays fixed however often /healthz is asked). A dependency that goes down
 * is warned about once, and once more when it is back; nothing is said while nothing changes.
 */
export class Readiness {
  private readonly states: Record<DependencyName, DependencyHealth> = {
    embeddings: { state: 'checking', detail: 'not checked yet' },
    chat: { state: 'checking', detail: 'not checked yet' },
    chroma: { state: 'checking', detail: 'not checked yet' },
  };
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  private wasReady = false;

  constructor(
    private readonly probe: ProbeRound,
    /** Extra condition for `ready` (the index is open). */
    private readonly indexOpen: () => boolean,
    /** Called each time `ready` turns true. */
    private readonly onReady: () => void = () => {},
  ) {}

  /** Probe now, then every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const tick = async () => {
      await this.check();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One probe round (a round already under way is joined, not repeated). */
  check(): Promise<void> {
    this.round ??= this.probe()
      .then((results) => {
        for (const name of Object.keys(results) as DependencyName[]) this.update(name, results[name]);
        const { ready } = this.report();
        if (ready && !this.wasReady) this.onReady();
        this.wasReady = ready;
      })
      .catch((error: unknown) => log.warn(`health probe failed: ${oneLine(error)}`))
      .finally(() => (this.round = undefined));
    return this.round;
  }

  report(): HealthReport {
    const dependencies = structuredClone(this.states);
    const ready = this.indexOpen() && Object.values(dependencies).every((d) => d.state === 'ready');
    return { ok: true, ready, dependencies };
  }

  private update(name: DependencyName, { ok, detail }: { ok: boolean; detail: string }): void {
    const before = this.states[name].state;
    const state: DependencyState = ok ? 'ready' : 'down';
    this.states[name] = { state, detail };
    if (state === 'down' && before !== 'down') log.warn(`${LABEL[name]} down: ${detail} (citebot keeps checking)`);
    if (state === 'ready' && before === 'down') log.warn(`${LABEL[name]} back: ${detail}`);
  }
}
