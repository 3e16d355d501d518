// Time in the sandbox: a clock for timestamps and a scheduler whose delays
// given in seconds are multiplied by the time scale (0.001 turns Healthengine's
// 20 s auto-confirm into 20 ms). Delays given in ms are not scaled.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** "YYYY-MM-DD HH:MM:SS" in UTC. */
export function formatUtcDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses "YYYY-MM-DD HH:MM:SS" as UTC. */
export function parseUtcDateTime(value: string): number {
  return Date.parse(`${value.replace(' ', 'T')}Z`);
}

export class Scheduler {
  readonly timeScale: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(timeScale: number) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
    this.timeScale = timeScale;
  }

  /** Runs fn after `seconds` of sandbox time (scaled). */
  afterSeconds(seconds: number, fn: () => void): () => void {
    return this.afterMs(seconds * 1000 * this.timeScale, fn);
  }

  /** Runs fn after `ms` of real time (not scaled). */
  afterMs(ms: number, fn: () => void): () => void {
    if (this.#closed) return () => {};
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, Math.max(0, Math.round(ms)));
    this.#timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
  }

  get pending(): number {
    return this.#timers.size;
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
