// The request-and-parse core the client's endpoint groups are built on.
// Bodies are checked against the spec's schemas before they leave (a bad one
// throws `bad_request` without a call), and answers are parsed with them (a
// mismatch throws `invalid_response` naming the endpoint and the field).
import { pino, type Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { endpointLabel, ENDPOINTS, fillPath, type EndpointName } from './endpoints.ts';
import { HealthengineBadRequestError, HealthengineInvalidResponseError } from './errors.ts';
import { HttpTransport, type PracticeCredentials, type RetryOptions } from './http.ts';
import type { Page } from './schemas/common.ts';
import { isVendorUserAgent } from './user-agent.ts';
import { firstIssue } from './zod-issues.ts';

export interface HealthengineClientOptions {
  /** e.g. https://healthengine.com.au/pms-api/v1 (the sandbox prints its own). */
  baseUrl: string;
  apiKey: string;
  /** "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT" (user-agent.ts builds one). */
  userAgent: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  retry?: RetryOptions;
  gzipThresholdBytes?: number;
  logger?: Logger;
  dispatcher?: Dispatcher;
}

export const CLIENT_DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  retry: { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 },
  gzipThresholdBytes: 8 * 1024,
} as const;

interface CallArgs {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  bodySchema?: z.ZodType;
}

export class ClientCore {
  readonly #http: HttpTransport;
  readonly logger: Logger;

  constructor(opts: HealthengineClientOptions) {
    if (!isVendorUserAgent(opts.userAgent)) {
      throw new TypeError('userAgent must read "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT", e.g. "Acme PMS (dev@acme.example) PROD"');
    }
    if (opts.apiKey.trim() === '') throw new TypeError('apiKey must not be empty');
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.#http = new HttpTransport({
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      userAgent: opts.userAgent,
      connectTimeoutMs: opts.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs,
      headersTimeoutMs: opts.headersTimeoutMs ?? CLIENT_DEFAULTS.headersTimeoutMs,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? CLIENT_DEFAULTS.bodyTimeoutMs,
      retry: opts.retry ?? CLIENT_DEFAULTS.retry,
      gzipThresholdBytes: opts.gzipThresholdBytes ?? CLIENT_DEFAULTS.gzipThresholdBytes,
      logger: this.logger,
      dispatcher: opts.dispatcher,
    });
  }

  /** Calls an endpoint whose answer carries no data. */
  async send(name: EndpointName, p: PracticeCredentials, args: CallArgs = {}): Promise<void> {
    await this.#request(name, p, args);
  }

  /** Calls an endpoint and parses its JSON answer with `schema`. */
  async fetch<S extends z.ZodType>(name: EndpointName, p: PracticeCredentials, schema: S, args: CallArgs = {}): Promise<z.infer<S>> {
    const { status, text } = await this.#request(name, p, args);
    const endpoint = endpointLabel(name);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HealthengineInvalidResponseError({
        endpoint,
        status,
        field: '(body)',
        problem: text.trim() === '' ? 'empty body where JSON was expected' : 'body is not valid JSON',
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const { field, problem } = firstIssue(parsed.error);
      throw new HealthengineInvalidResponseError({ endpoint, status, field, problem });
    }
    return parsed.data;
  }

  /** Throws the client-side `bad_request` for a call that must not be made. */
  refuse(name: EndpointName, reason: string): never {
    throw new HealthengineBadRequestError({ endpoint: endpointLabel(name), reason });
  }

  checkPage(name: EndpointName, page: number | undefined): void {
    if (page !== undefined && (!Number.isInteger(page) || page < 1)) this.refuse(name, `page must be a positive integer`);
  }

  async #request(name: EndpointName, p: PracticeCredentials, args: CallArgs): Promise<{ status: number; text: string }> {
    const endpoint = ENDPOINTS[name];
    let body = args.body;
    if (args.bodySchema) {
      const checked = args.bodySchema.safeParse(body);
      if (!checked.success) {
        const { field, problem } = firstIssue(checked.error, 'body');
        this.refuse(name, `${field}: ${problem}`);
      }
      body = checked.data; // unknown keys stripped: only what the spec names leaves
    }
    const res = await this.#http.send({
      endpoint: endpointLabel(name),
      method: endpoint.method,
      path: fillPath(endpoint.path, args.params),
      ...(args.query ? { query: args.query } : {}),
      practice: p,
      body,
    });
    return res;
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** Fills the optional parts of a `{data, page}` answer. */
export function toPage<T>(raw: { data?: T[] | undefined; page?: Partial<Page<T>['page']> | undefined }, requested?: number): Page<T> {
  const data = raw.data ?? [];
  return {
    data,
    page: {
      currentPage: raw.page?.currentPage ?? requested ?? 1,
      totalPages: raw.page?.totalPages ?? 1,
      perPage: raw.page?.perPage ?? data.length,
      total: raw.page?.total ?? data.length,
    },
  };
}


/** The base of the endpoint groups: holds the core. */
export class EndpointGroup {
  protected readonly core: ClientCore;
  constructor(core: ClientCore) {
    this.core = core;
  }
}
