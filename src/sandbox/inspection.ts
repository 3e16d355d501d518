// Every PMS API call the sandbox received, for tests and the demo's
// timeline. Secret headers are masked before they are stored.

export const MASKED_HEADERS: readonly string[] = ['api-key', 'practice-key', 'authorization', 'cookie'];
export const MASK = '***';

export interface RecordedCall {
  seq: number;
  /** ISO timestamp of arrival. */
  at: string;
  method: string;
  /** Path below the API base, e.g. /bookings/1001/confirmInsert. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  practiceId: string | undefined;
  /** Content-Encoding of the request body, when one was set (e.g. gzip). */
  contentEncoding: string | undefined;
  /** Parsed JSON body (after gunzip), raw text when not JSON, undefined when empty. */
  body: unknown;
  status: number;
  response: unknown;
  durationMs: number;
}

export interface CallFilter {
  method?: string;
  /** Exact path, or a RegExp. */
  path?: string | RegExp;
  practiceId?: string;
}

export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = MASKED_HEADERS.includes(lower) ? MASK : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export class CallLog {
  readonly #calls: RecordedCall[] = [];
  #seq = 0;
  readonly limit: number;

  constructor(limit = 10_000) {
    this.limit = limit;
  }

  record(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    const recorded = { seq: ++this.#seq, ...call };
    this.#calls.push(recorded);
    if (this.#calls.length > this.limit) this.#calls.shift();
    return recorded;
  }

  list(filter: CallFilter = {}): RecordedCall[] {
    return this.#calls
      .filter((c) => filter.method === undefined || c.method === filter.method.toUpperCase())
      .filter((c) => filter.practiceId === undefined || c.practiceId === filter.practiceId)
      .filter((c) =>
        filter.path === undefined ? true : typeof filter.path === 'string' ? c.path === filter.path : filter.path.test(c.path),
      )
      .map((c) => structuredClone(c));
  }

  clear(): void {
    this.#calls.length = 0;
  }
}
