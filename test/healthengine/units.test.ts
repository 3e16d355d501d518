// Pure parts of the client: the retry table, backoff, Retry-After, the
// User-Agent format, error typing, and how zod issues are reported.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  backoffDelayMs,
  DateString,
  DobString,
  errorForStatus,
  formatUserAgent,
  HealthengineError,
  isVendorUserAgent,
  parseRetryAfter,
  parseUserAgent,
  RETRY_TABLE,
  retryRuleFor,
  describeIssue,
  TimeString,
} from '../../src/healthengine/index.ts';

describe('retry table', () => {
  it.each([429, 500, 502, 503, 504, 599])('retries status %i', (status) => {
    expect(retryRuleFor({ kind: 'status', status })).toBeDefined();
  });

  it.each([400, 401, 403, 404, 405, 409, 410, 413, 422])('never retries status %i', (status) => {
    expect(retryRuleFor({ kind: 'status', status })).toBeUndefined();
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])(
    'retries network error %s',
    (code) => expect(retryRuleFor({ kind: 'network', code })).toBeDefined(),
  );

  it('does not retry network errors it does not know (TLS, bad arguments)', () => {
    expect(retryRuleFor({ kind: 'network', code: 'CERT_HAS_EXPIRED' })).toBeUndefined();
    expect(retryRuleFor({ kind: 'network', code: 'UND_ERR_INVALID_ARG' })).toBeUndefined();
  });

  it('is the one place: only 429 honours Retry-After', () => {
    expect(Object.entries(RETRY_TABLE).filter(([, r]) => r.honourRetryAfter).map(([k]) => k)).toEqual(['status:429']);
  });
});

describe('backoff', () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 3_000 };

  it('stays within [0, min(max, base * 2^(n-1))] (full jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (n, r) => {
        const d = backoffDelayMs(n, opts, () => r);
        return d >= 0 && d <= Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (n - 1));
      }),
    );
  });

  it('grows exponentially at the top of the jitter range', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, opts, top))).toEqual([99, 199, 399, 799, 1599, 2999]);
  });

  it('takes Retry-After as a floor, capped at maxDelayMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 10_000 }), (n, retryAfter) => {
        const d = backoffDelayMs(n, opts, () => 0, retryAfter);
        return d === Math.min(opts.maxDelayMs, retryAfter);
      }),
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('User-Agent', () => {
  it('builds and recognises "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT"', () => {
    const ua = formatUserAgent({ vendorName: 'Acme Clinic PMS', vendorEmail: 'dev@acme.example', environment: 'uat' });
    expect(ua).toBe('Acme Clinic PMS (dev@acme.example) UAT');
    expect(parseUserAgent(ua)).toEqual({ vendorName: 'Acme Clinic PMS', vendorEmail: 'dev@acme.example', environment: 'UAT' });
  });

  it.each(['curl/8.4.0', 'Acme (not-an-email) PROD', 'Acme (dev@acme.example)', '(dev@acme.example) PROD', 'Acme (dev@acme.example) PROD extra'])(
    'rejects %j',
    (ua) => expect(isVendorUserAgent(ua)).toBe(false),
  );

  it('refuses to build from an unusable identity', () => {
    expect(() => formatUserAgent({ vendorName: 'Acme', vendorEmail: 'nobody', environment: 'PROD' })).toThrow(TypeError);
  });
});

describe('errors', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'consent_required'],
    [404, 'not_found'],
    [410, 'gone'],
    [400, 'bad_request'],
    [422, 'bad_request'],
  ] as const)('status %i is %s', (status, code) => {
    const err = errorForStatus(status, { endpoint: 'GET /requests', reason: 'why' });
    expect(err).toBeInstanceOf(HealthengineError);
    expect(err).toMatchObject({ code, status, endpoint: 'GET /requests' });
  });
});

describe('formats and issue reports', () => {
  it('accepts only real dates and 24-hour times', () => {
    expect(DateString.safeParse('2024-02-29').success).toBe(true);
    expect(DateString.safeParse('2023-02-29').success).toBe(false);
    expect(TimeString.safeParse('23:59').success).toBe(true);
    expect(TimeString.safeParse('24:00').success).toBe(false);
    expect(TimeString.safeParse('9:00').success).toBe(false);
    expect(DobString.safeParse('31-12-1990').success).toBe(true);
    expect(DobString.safeParse('31-02-1990').success).toBe(false);
  });

  it('names the field, says "is required" for a missing one, and never echoes the value', () => {
    const schema = z.object({ items: z.array(z.object({ name: z.string(), age: z.int() })) });
    const missing = schema.safeParse({ items: [{ age: 3 }] });
    expect(missing.success || describeIssue(missing.error, 'body')).toBe('body.items[0].name: is required');
    const wrong = schema.safeParse({ items: [{ name: 'Secret Patient', age: 'forty' }] });
    const text = wrong.success ? '' : describeIssue(wrong.error);
    expect(text).toMatch(/^items\[0\]\.age: /);
    expect(text).not.toContain('forty');
  });
});
