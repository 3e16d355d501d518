// Faults an admin can inject into the next matching PMS API calls, to see
// how a connector copes end to end: an error status, a reset connection, a
// malformed body, or a slow answer.

export interface FaultRule {
  method?: string;
  /** Exact path below the API base (/requests/bookings), or a RegExp over it. */
  path?: string | RegExp;
  /** How many matching calls to spoil (default 1). */
  times?: number;
  /** Answer this status instead of handling the call. */
  status?: number;
  /** Raw body for that answer (default {"error":"injected fault"}). */
  body?: string;
  headers?: Record<string, string>;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Wait this long (real ms) before answering. */
  delayMs?: number;
}

interface ActiveFault extends FaultRule {
  remaining: number;
}

export class FaultInjector {
  #faults: ActiveFault[] = [];

  add(rule: FaultRule): void {
    this.#faults.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** The fault for this call, consumed; undefined when none applies. */
  take(method: string, path: string): FaultRule | undefined {
    const fault = this.#faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (!fault) return undefined;
    fault.remaining--;
    this.#faults = this.#faults.filter((f) => f.remaining > 0);
    return fault;
  }

  clear(): void {
    this.#faults = [];
  }

  get pending(): number {
    return this.#faults.reduce((n, f) => n + f.remaining, 0);
  }
}
