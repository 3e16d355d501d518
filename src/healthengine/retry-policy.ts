// The one place that decides what is retried. Keyed by HTTP status, status
// class, or network error code (Node's and undici's); never by message text.
// Anything not in the table is not retried: other 4xx are the caller's
// mistake, and unknown network errors (TLS, invalid arguments) do not heal.

export interface RetryRule {
  why: string;
  /** 429: wait at least what Retry-After says (capped at maxDelayMs). */
  honourRetryAfter?: boolean;
}

export const RETRY_TABLE: Readonly<Record<string, RetryRule>> = {
  // HTTP answers
  'status:429': { why: 'rate limited', honourRetryAfter: true },
  'status:5xx': { why: 'server error' },
  // connection could not be made or was lost
  ECONNREFUSED: { why: 'connection refused' },
  ECONNRESET: { why: 'connection reset' },
  ECONNABORTED: { why: 'connection aborted' },
  EPIPE: { why: 'broken pipe' },
  ETIMEDOUT: { why: 'connect timed out' },
  EHOSTUNREACH: { why: 'host unreachable' },
  ENETUNREACH: { why: 'network unreachable' },
  ENETDOWN: { why: 'network down' },
  EAI_AGAIN: { why: 'DNS lookup failed temporarily' },
  // undici
  UND_ERR_CONNECT_TIMEOUT: { why: 'connect timed out' },
  UND_ERR_HEADERS_TIMEOUT: { why: 'no response headers in time' },
  UND_ERR_BODY_TIMEOUT: { why: 'response body stalled' },
  UND_ERR_SOCKET: { why: 'socket closed mid-request' },
  UND_ERR_CLOSED: { why: 'connection closed' },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: { why: 'response truncated' },
};

export type Outcome = { kind: 'status'; status: number } | { kind: 'network'; code: string };

/** The rule that makes this outcome retryable, or undefined. */
export function retryRuleFor(outcome: Outcome): RetryRule | undefined {
  if (outcome.kind === 'status') {
    return RETRY_TABLE[`status:${outcome.status}`] ?? RETRY_TABLE[`status:${Math.floor(outcome.status / 100)}xx`];
  }
  return RETRY_TABLE[outcome.code];
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(n-1))]
 * for the n-th retry (n from 1). `retryAfterMs` (from a 429) sets a floor.
 */
export function backoffDelayMs(
  retry: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  return Math.min(opts.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
