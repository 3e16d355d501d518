// The client under injected faults, against a tiny scripted node:http server:
// what is retried (5xx, 429, timeouts, resets), what is not (other 4xx,
// malformed or schema-violating answers), and how each surfaces as a typed error.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthengineClient, type HealthengineClientOptions } from '../../src/healthengine/index.ts';
import { API_KEY, GRANTED, USER_AGENT } from '../sandbox/fixture.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Script = (req: IncomingMessage, res: ServerResponse, hit: number, body: Buffer) => void;

const servers: { close(): Promise<void> }[] = [];
const clients: HealthengineClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function faultServer(script: Script) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      script(req, res, seen.length, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const handle = {
    url: `http://127.0.0.1:${port}/pms-api/v1`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  servers.push(handle);
  return handle;
}

function client(url: string, opts: Partial<HealthengineClientOptions> = {}): HealthengineClient {
  const c = new HealthengineClient({
    baseUrl: url,
    apiKey: API_KEY,
    userAgent: USER_AGENT,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    headersTimeoutMs: 2_000,
    bodyTimeoutMs: 2_000,
    ...opts,
  });
  clients.push(c);
  return c;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const RESOURCES = [{ pmsResourceId: 'r1', pmsResourceName: 'Dr One' }];

describe('retried: 5xx, 429, timeouts, connection failures', () => {
  it('retries 5xx and succeeds when the server recovers', async () => {
    const srv = await faultServer((_q, res, hit) => (hit <= 2 ? json(res, hit === 1 ? 503 : 502, { error: 'busy' }) : json(res, 200, RESOURCES)));
    expect(await client(srv.url).getResources(GRANTED)).toEqual(RESOURCES);
    expect(srv.seen).toHaveLength(3);
  });

  it('gives up after maxAttempts with a transient error naming the last failure', async () => {
    const srv = await faultServer((_q, res) => json(res, 500, { error: 'boom' }));
    const err = await client(srv.url).getResources(GRANTED).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'transient', attempts: 4, lastFailure: 'status 500', status: 500, endpoint: 'GET /config/pmsResources' });
    expect(srv.seen).toHaveLength(4);
  });

  it('retries 429 and waits at least Retry-After (capped at maxDelayMs)', async () => {
    const srv = await faultServer((_q, res, hit) => (hit === 1 ? json(res, 429, {}, { 'retry-after': '30' }) : json(res, 200, RESOURCES)));
    const started = performance.now();
    await client(srv.url, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 250 } }).getResources(GRANTED);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240); // a lower bound only: never flaky
    expect(srv.seen).toHaveLength(2);
  });

  it('retries a response whose headers do not come in time', async () => {
    const srv = await faultServer((_q, res, hit) => {
      if (hit === 1) setTimeout(() => json(res, 200, RESOURCES), 5_000).unref();
      else json(res, 200, RESOURCES);
    });
    expect(await client(srv.url, { headersTimeoutMs: 300 }).getResources(GRANTED)).toEqual(RESOURCES);
    expect(srv.seen.length).toBeGreaterThanOrEqual(2);
  });

  it('retries a body that stalls, and reports the timeout code once exhausted', async () => {
    const srv = await faultServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"pmsResourceId":'); // and never finishes
    });
    const err = await client(srv.url, { bodyTimeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } })
      .getResources(GRANTED)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'transient', attempts: 2, lastFailure: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('retries a connection reset before any answer', async () => {
    const srv = await faultServer((req, res, hit) => (hit === 1 ? req.socket.destroy() : json(res, 200, RESOURCES)));
    expect(await client(srv.url).getResources(GRANTED)).toEqual(RESOURCES);
    expect(srv.seen).toHaveLength(2);
  });

  it('reports a refused connection as transient after the retries', async () => {
    const srv = await faultServer(() => {});
    const url = srv.url;
    await srv.close();
    const err = await client(url, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }).getRequests(GRANTED).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'transient', attempts: 3, lastFailure: 'ECONNREFUSED' });
  });

  it('stops waiting between retries when the client is closed', async () => {
    const srv = await faultServer((_q, res) => json(res, 503, {}));
    const c = client(srv.url, { retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const pending = c.getRequests(GRANTED).catch((e: unknown) => e);
    while (srv.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    await c.close();
    expect(await pending).toMatchObject({ code: 'transient', attempts: 1 });
  });
});

describe('not retried: other 4xx, typed by status', () => {
  it.each([
    [400, { error: 'pmsResourceName must be unique' }, { code: 'bad_request', reason: 'pmsResourceName must be unique' }],
    [401, {}, { code: 'unauthorized' }],
    [403, { error: 'no consent' }, { code: 'consent_required', reason: 'no consent' }],
    [404, {}, { code: 'not_found' }],
    [409, { error: 'conflict' }, { code: 'bad_request', reason: 'conflict' }],
    [410, { error: 'handled' }, { code: 'gone', reason: 'handled' }],
  ])('%i', async (status, body, expected) => {
    const srv = await faultServer((_q, res) => json(res, status, body));
    const err = await client(srv.url).postResourcesSnapshot(GRANTED, RESOURCES).catch((e: unknown) => e);
    expect(err).toMatchObject({ ...expected, status, endpoint: 'POST /config/pmsResources/snapshot' });
    expect(srv.seen).toHaveLength(1);
  });

  it('says on which attempt a 400 came, so a retried POST that may have landed can be told apart', async () => {
    const srv = await faultServer((req, res, hit) => (hit === 1 ? req.socket.destroy() : json(res, 400, { error: 'already answered' })));
    const err = await client(srv.url).confirmInsert(GRANTED, 5, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_request', attempts: 2, reason: 'already answered' });
  });

  it('keeps a non-JSON 400 body as the reason', async () => {
    const srv = await faultServer((_q, res) => res.writeHead(400).end('bad things happened'));
    await expect(client(srv.url).postResourcesSnapshot(GRANTED, RESOURCES)).rejects.toMatchObject({ code: 'bad_request', reason: 'bad things happened' });
  });
});

describe('answers that do not match: invalid_response, never a crash', () => {
  it('malformed JSON names the body', async () => {
    const srv = await faultServer((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[{"pmsResourceId": "r1",'));
    await expect(client(srv.url).getResources(GRANTED)).rejects.toMatchObject({
      code: 'invalid_response',
      endpoint: 'GET /config/pmsResources',
      field: '(body)',
      problem: 'body is not valid JSON',
    });
    expect(srv.seen).toHaveLength(1);
  });

  it('an empty body where JSON is expected', async () => {
    const srv = await faultServer((_q, res) => res.writeHead(200).end());
    await expect(client(srv.url).getFeature(GRANTED, 'documents')).rejects.toMatchObject({ code: 'invalid_response', field: '(body)' });
  });

  it.each([
    ['a wrong type', { bookingId: 'abc' }, 'data[0].bookingId'],
    ['an unknown enum value', { bookingId: 1, bookingStatus: 'Pending' }, 'data[0].bookingStatus'],
    ['a malformed datetime', { bookingId: 1, bookedTime: '2024-01-01T10:00:00Z' }, 'data[0].bookedTime'],
    ['a missing id', { pmsResourceId: 'r1' }, 'data[0].bookingId'],
  ])('%s names the endpoint and the field', async (_what, booking, field) => {
    const srv = await faultServer((_q, res) => json(res, 200, { data: [booking], page: { currentPage: 1, totalPages: 1, perPage: 25, total: 1 } }));
    const err = await client(srv.url).getBookingRequests(GRANTED).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_response', endpoint: 'GET /requests/bookings', field });
    expect((err as Error).message).not.toContain('abc'); // values are not echoed
  });

  it('accepts null where the spec says "can be null"', async () => {
    const booking = { bookingId: 7, pmsResourceId: null, pmsPatientId: null, patient: { gender: null, medicareNumber: null, dob: '01-02-1990' } };
    const srv = await faultServer((_q, res) => json(res, 200, { data: [booking] }));
    const page = await client(srv.url).getBookingRequests(GRANTED);
    expect(page).toEqual({ data: [booking], page: { currentPage: 1, totalPages: 1, perPage: 1, total: 1 } });
  });
});

describe('what goes on the wire', () => {
  it('sends the three auth headers, the vendor User-Agent, JSON, under the base path', async () => {
    const srv = await faultServer((_q, res) => res.writeHead(200).end());
    await client(srv.url).postResourcesSnapshot(GRANTED, RESOURCES);
    const [call] = srv.seen;
    expect(call?.url).toBe('/pms-api/v1/config/pmsResources/snapshot');
    expect(call?.headers).toMatchObject({
      'api-key': API_KEY,
      'practice-id': GRANTED.practiceId,
      'practice-key': GRANTED.practiceKey,
      'user-agent': USER_AGENT,
      'content-type': 'application/json',
    });
    expect(call?.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(call?.body.toString() ?? '')).toEqual(RESOURCES);
  });

  it('gzips a body above the threshold, and only then', async () => {
    const srv = await faultServer((_q, res) => res.writeHead(200).end());
    const c = client(srv.url, { gzipThresholdBytes: 1024 });
    const big = Array.from({ length: 40 }, (_, i) => ({ pmsResourceId: `r${i}`, pmsResourceName: `Practitioner number ${i}` }));
    await c.postResourcesSnapshot(GRANTED, big);
    await c.postResourcesSnapshot(GRANTED, RESOURCES);
    const [large, small] = srv.seen;
    expect(large?.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(large!.body).toString())).toEqual(big);
    expect(large!.body.length).toBeLessThan(JSON.stringify(big).length);
    expect(small?.headers['content-encoding']).toBeUndefined();
  });

  it('sends only the fields the spec names (unknown keys are dropped)', async () => {
    const srv = await faultServer((_q, res) => res.writeHead(200).end());
    const withExtra = [{ ...RESOURCES[0]!, internalNote: 'do not leak' }];
    await client(srv.url).postResourcesSnapshot(GRANTED, withExtra);
    expect(srv.seen[0]?.body.toString()).not.toContain('internalNote');
  });

  it('logs method, path, status, duration and practice id, never secrets or patient data', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const booking = { bookingId: 9, patient: { firstname: 'Zelda', lastname: 'Fitzgerald', email: 'zelda@example.test' } };
    const srv = await faultServer((_q, res, hit) => (hit === 1 ? json(res, 503, {}) : json(res, 200, { data: [booking] })));
    const c = client(srv.url, { logger: pino({ level: 'debug' }, sink) });
    await c.getBookingRequests(GRANTED, 1);
    const log = lines.join('');
    expect(log).toContain('"path":"/pms-api/v1/requests/bookings"');
    expect(log).toContain('"practiceId":"1001"');
    expect(log).toContain('"status":503');
    expect(log).toContain('"durationMs"');
    for (const secret of [API_KEY, GRANTED.practiceKey, 'Zelda', 'Fitzgerald', 'zelda@example.test']) expect(log).not.toContain(secret);
  });
});
