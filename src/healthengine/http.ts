// HTTP transport of the Healthengine client: one undici Pool per base URL,
// connect/headers/body timeouts, the three auth headers and the vendor
// User-Agent, gzip above a size threshold, and retries (retry-policy.ts).
// Logs method, path, status, duration and practice id only: never headers,
// bodies or query values that could hold secrets or patient data.
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Logger } from 'pino';
import { Pool, type Dispatcher } from 'undici';
import { errorForStatus, HealthengineError, HealthengineTransientError } from './errors.ts';
import { backoffDelayMs, parseRetryAfter, retryRuleFor, type Outcome } from './retry-policy.ts';

const gzip = promisify(gzipCallback);

export interface PracticeCredentials {
  practiceId: string;
  practiceKey: string;
}

export interface RetryOptions {
  /** Total attempts, first included (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface HttpTransportOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  retry: RetryOptions;
  gzipThresholdBytes: number;
  logger: Logger;
  /** When given, used instead of an own Pool (and not closed by close()). */
  dispatcher?: Dispatcher | undefined;
  /** Jitter source; tests may pin it. */
  random?: () => number;
}

export interface HttpRequest {
  /** "METHOD /template" for errors and logs. */
  endpoint: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL, parameters filled in. */
  path: string;
  query?: Record<string, string | number | undefined>;
  practice: PracticeCredentials;
  /** JSON-serialisable body; undefined sends none. */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  text: string;
}

interface AttemptResult {
  outcome: Outcome;
  response?: HttpResponse;
  retryAfterMs?: number;
  cause?: unknown;
}

export class HttpTransport {
  readonly #opts: HttpTransportOptions;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;

  constructor(opts: HttpTransportOptions) {
    const url = new URL(opts.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be http(s): ${opts.baseUrl}`);
    }
    this.#opts = opts;
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#ownsDispatcher = opts.dispatcher === undefined;
    this.#dispatcher =
      opts.dispatcher ??
      new Pool(this.#origin, {
        connectTimeout: opts.connectTimeoutMs,
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
      });
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const path = this.#basePath + req.path + queryString(req.query);
    const headers = await this.#headers(req);
    const body = headers.body;
    const { maxAttempts } = this.#opts.retry;
    let last: AttemptResult | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.#closing.signal.aborted) break;
      attempts = attempt;
      const started = performance.now();
      last = await this.#attempt(req.method, path, headers.headers, body);
      const durationMs = Math.round(performance.now() - started);
      const log = {
        endpoint: req.endpoint,
        method: req.method,
        path: this.#basePath + req.path,
        practiceId: req.practice.practiceId,
        attempt,
        durationMs,
      };
      const { outcome } = last;
      if (outcome.kind === 'status' && outcome.status < 300 && last.response) {
        this.#opts.logger.debug({ ...log, status: outcome.status }, 'healthengine call');
        return last.response;
      }
      const rule = retryRuleFor(outcome);
      if (!rule) {
        if (outcome.kind === 'status') {
          this.#opts.logger.info({ ...log, status: outcome.status }, 'healthengine call refused');
          throw errorForStatus(outcome.status, {
            endpoint: req.endpoint,
            status: outcome.status,
            reason: reasonFrom(last.response?.text),
            attempts: attempt,
          });
        }
        this.#opts.logger.warn({ ...log, error: outcome.code }, 'healthengine call failed (not retryable)');
        break;
      }
      if (attempt === maxAttempts) {
        this.#opts.logger.warn({ ...log, ...describe(outcome) }, 'healthengine call failed, retries exhausted');
        break;
      }
      const delayMs = backoffDelayMs(
        attempt,
        this.#opts.retry,
        this.#opts.random,
        rule.honourRetryAfter ? last.retryAfterMs : undefined,
      );
      this.#opts.logger.info({ ...log, ...describe(outcome), retryInMs: delayMs, why: rule.why }, 'healthengine call will be retried');
      try {
        await sleep(delayMs, undefined, { signal: this.#closing.signal });
      } catch {
        break; // closing
      }
    }
    throw transientError(req.endpoint, last, attempts);
  }

  async #attempt(method: string, path: string, headers: Record<string, string>, body: Buffer | undefined): Promise<AttemptResult> {
    try {
      const res = await this.#dispatcher.request({
        origin: this.#origin,
        path,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body ?? null,
        headersTimeout: this.#opts.headersTimeoutMs,
        bodyTimeout: this.#opts.bodyTimeoutMs,
      });
      const text = await res.body.text();
      const retryAfter = res.headers['retry-after'];
      return {
        outcome: { kind: 'status', status: res.statusCode },
        response: { status: res.statusCode, text },
        retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
      };
    } catch (err) {
      return { outcome: { kind: 'network', code: networkCode(err) }, cause: err };
    }
  }

  async #headers(req: HttpRequest): Promise<{ headers: Record<string, string>; body: Buffer | undefined }> {
    const headers: Record<string, string> = {
      'api-key': this.#opts.apiKey,
      'practice-id': req.practice.practiceId,
      'practice-key': req.practice.practiceKey,
      'user-agent': this.#opts.userAgent,
      accept: 'application/json',
    };
    if (req.body === undefined) return { headers, body: undefined };
    let body = Buffer.from(JSON.stringify(req.body), 'utf8');
    headers['content-type'] = 'application/json';
    if (body.byteLength > this.#opts.gzipThresholdBytes) {
      body = await gzip(body);
      headers['content-encoding'] = 'gzip';
    }
    return { headers, body };
  }

  /**
   * Stops waiting retries and closes the own pool once calls in flight have
   * finished (bounded by the timeouts); safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing.abort();
    this.#closed ??= this.#ownsDispatcher ? this.#dispatcher.close() : Promise.resolve();
    return this.#closed;
  }
}

function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function networkCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'UNKNOWN_NETWORK_ERROR';
}

function describe(outcome: Outcome): { status?: number; error?: string } {
  return outcome.kind === 'status' ? { status: outcome.status } : { error: outcome.code };
}

/** The server's `{error}` text, or the raw body (trimmed), or undefined. */
export function reasonFrom(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
      return (parsed as { error: string }).error;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 500);
}

function transientError(endpoint: string, last: AttemptResult | undefined, attempts: number): HealthengineError {
  const outcome = last?.outcome;
  const lastFailure =
    outcome === undefined ? 'client closed' : outcome.kind === 'status' ? `status ${outcome.status}` : outcome.code;
  return new HealthengineTransientError({
    endpoint,
    attempts,
    lastFailure,
    ...(outcome?.kind === 'status' ? { status: outcome.status, reason: reasonFrom(last?.response?.text) } : {}),
    cause: last?.cause,
  });
}
