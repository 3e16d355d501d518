// The sandbox's front door: auth and consent (401/403), strict validation of
// headers, parameters and bodies (400 naming the problem), gzip bodies, and
// the inspection log with secrets masked.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { findOperation, requestBodySchema, spec, validateAgainstSpec } from '../support/openapi.ts';
import { API_KEY, clientFor, DAY, GRANTED, NEVER, rawCall, REVOKED, RESOURCES, seedPractice, startSandbox, USER_AGENT } from './fixture.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
  const client = clientFor(sandbox);
  await seedPractice(client);
  await client.close();
});
afterAll(() => sandbox.close());

describe('auth and consent', () => {
  it.each([
    ['no api-key', { omit: ['api-key'] }, 401, 'api-key header is missing'],
    ['a wrong api-key', { headers: { 'api-key': 'nope' } }, 401, 'api-key is not valid'],
    ['no practice-id', { omit: ['practice-id'] }, 401, 'practice-id header is missing'],
    ['no practice-key', { omit: ['practice-key'] }, 401, 'practice-key header is missing'],
    ['a wrong practice-key', { headers: { 'practice-key': 'guess' } }, 401, 'do not match'],
    ['an unknown practice', { headers: { 'practice-id': '9999' } }, 401, 'do not match'],
    ['revoked consent', { practice: REVOKED }, 403, 'revoked consent'],
    ['consent never given', { practice: NEVER }, 403, 'has not granted consent'],
  ])('%s -> %i', async (_what, opts, status, error) => {
    const res = await rawCall(sandbox, 'GET', '/requests', opts);
    expect(res.status).toBe(status);
    expect((res.json as { error: string }).error).toContain(error);
  });

  it('refuses config pushes without consent, and accepts them once consent is granted', async () => {
    expect((await rawCall(sandbox, 'POST', '/config/pmsResources/snapshot', { practice: REVOKED, body: RESOURCES })).status).toBe(403);
    sandbox.admin.setConsent(REVOKED.practiceId, 'granted');
    expect((await rawCall(sandbox, 'POST', '/config/pmsResources/snapshot', { practice: REVOKED, body: RESOURCES })).status).toBe(200);
    sandbox.admin.setConsent(REVOKED.practiceId, 'revoked');
    expect((await rawCall(sandbox, 'GET', '/config/pmsResources', { practice: REVOKED })).status).toBe(403);
  });
});

describe('headers, path and query', () => {
  it('wants the vendor User-Agent', async () => {
    const res = await rawCall(sandbox, 'GET', '/requests', { headers: { 'user-agent': 'curl/8.4.0' } });
    expect(res.status).toBe(400);
    expect(res.text).toContain('VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT');
  });

  it.each([
    ['a non-integer bookingId', 'POST', '/bookings/abc/cancel', { body: {} }, 'bookingId must be a positive integer'],
    ['page=0', 'GET', '/requests/bookings?page=0', {}, 'page must be a positive integer'],
    ['page given twice', 'GET', '/requests/bookings?page=1&page=2', {}, "'page' given more than once"],
    ['an unknown query parameter', 'GET', '/requests/bookings?perPage=100', {}, "'perPage' is not accepted"],
    ['findById without id', 'GET', '/config/pmsResources/findById', {}, "'id' is required"],
    ['a bad from datetime', 'GET', '/subscriptionErrorLog?from=2024-01-01', {}, 'from must be a datetime'],
    ['a body where none is taken', 'POST', '/bookings/1/confirmUpdate/2', { body: { x: 1 } }, 'takes no request body'],
    ['no body where one is required', 'POST', '/bookings/1/rejectInsert', {}, 'JSON request body is required'],
    ['a body that is not JSON', 'POST', '/bookings/1/rejectInsert', { rawBody: '{reason:' }, 'not valid JSON'],
    ['a non-JSON content type', 'POST', '/bookings/1/rejectInsert', { rawBody: '{}', headers: { 'content-type': 'text/plain' } }, 'Content-Type must be application/json'],
    ['an unsupported encoding', 'POST', '/bookings/1/rejectInsert', { rawBody: '{}', headers: { 'content-encoding': 'br' } }, "Content-Encoding 'br'"],
    ['broken gzip', 'POST', '/bookings/1/rejectInsert', { rawBody: 'not gzip', headers: { 'content-encoding': 'gzip' } }, 'not valid gzip'],
  ] as const)('400 for %s', async (_what, method, path, opts, error) => {
    const res = await rawCall(sandbox, method, path, opts as Parameters<typeof rawCall>[3]);
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toContain(error);
  });

  it('answers 404 outside the spec and 405 for a wrong method, with Allow', async () => {
    expect((await rawCall(sandbox, 'GET', '/nothing/here')).status).toBe(404);
    const wrong = await rawCall(sandbox, 'DELETE', '/requests');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
  });

  it('reads gzip-compressed bodies', async () => {
    const snapshot = { pmsResourceId: 'dr-2', date: DAY, availability: [{ start: '14:00', end: '15:00', slotLength: 1200 }] };
    const res = await rawCall(sandbox, 'POST', '/availability/snapshot', {
      rawBody: gzipSync(JSON.stringify(snapshot)) as unknown as string,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(sandbox.admin.getPractice('1001').availability['dr-2']?.[DAY]).toEqual(snapshot.availability);
    const [call] = sandbox.admin.calls({ path: '/availability/snapshot', method: 'POST' }).slice(-1);
    expect(call).toMatchObject({ contentEncoding: 'gzip', body: snapshot, status: 200 });
  });
});

const OK_SNAPSHOT = { date: DAY, pmsResourceId: 'dr-1', availability: [] };

/** Invalid bodies: 400 with a reason naming the field; `spec` marks those the spec's own schema rejects too. */
const INVALID: [string, string, unknown, string, boolean][] = [
  ['a resource without a name', '/config/pmsResources/snapshot', [{ pmsResourceId: 'x' }], 'body[0].pmsResourceName: is required', true],
  ['duplicate resource ids', '/config/pmsResources/snapshot', [{ pmsResourceId: 'x', pmsResourceName: 'A' }, { pmsResourceId: 'x', pmsResourceName: 'B' }], 'body[1].pmsResourceId: must be unique', false],
  ['duplicate resource names', '/config/pmsResources/snapshot', [{ pmsResourceId: 'x', pmsResourceName: 'A' }, { pmsResourceId: 'y', pmsResourceName: 'A' }], 'body[1].pmsResourceName: must be unique', false],
  ['a length in words', '/config/pmsAppointmentTypes/snapshot', [{ pmsAppointmentTypeId: 't', pmsAppointmentTypeName: 'T', pmsAppointmentLength: 'thirty' }], 'body[0].pmsAppointmentLength', true],
  ['duplicate type names for one resource', '/config/pmsAppointmentTypes/snapshot', [{ pmsAppointmentTypeId: 'a', pmsAppointmentTypeName: 'T' }, { pmsAppointmentTypeId: 'b', pmsAppointmentTypeName: 'T' }], 'body[1].pmsAppointmentTypeName: must be unique', false],
  ['a type for an unknown resource', '/config/pmsAppointmentTypes/snapshot', [{ pmsAppointmentTypeId: 'a', pmsAppointmentTypeName: 'T', pmsResourceId: 'ghost' }], "body[0].pmsResourceId: 'ghost' is not in the resources snapshot", false],
  ['a time without a leading zero', '/availability/snapshot', { date: DAY, pmsResourceId: 'dr-1', availability: [{ start: '9:00', end: '12:00', slotLength: 900 }] }, 'body.availability[0].start: must be a time HH:MM', true],
  ['a range ending before it starts', '/availability/snapshot', { date: DAY, pmsResourceId: 'dr-1', availability: [{ start: '12:00', end: '09:00', slotLength: 900 }] }, 'start 12:00 must be before end 09:00', false],
  ['an impossible date', '/availability/snapshot', { date: '2030-02-30', pmsResourceId: 'dr-1', availability: [] }, 'body.date: must be a real calendar date', false],
  ['no slotLength', '/availability/snapshot', { date: DAY, pmsResourceId: 'dr-1', availability: [{ start: '09:00', end: '12:00' }] }, 'body.availability[0].slotLength: is required', true],
  ['an unknown resource', '/availability/snapshot', { date: DAY, pmsResourceId: 'ghost', availability: [] }, "body.pmsResourceId: 'ghost' is not in the resources snapshot", false],
  ['an unknown appointment type', '/availability/snapshot', { date: DAY, pmsResourceId: 'dr-2', availability: [{ start: '09:00', end: '10:00', slotLength: 900, pmsAppointmentTypeIds: ['long:dr-1'] }] }, "'long:dr-1' belongs to resource 'dr-1'", false],
  ['101 snapshots', '/availability/snapshots', Array.from({ length: 101 }, () => OK_SNAPSHOT), 'at most 100 snapshots per call, got 101', false],
  ['repeated snapshot ids', '/availability/snapshots', [{ ...OK_SNAPSHOT, id: 'a' }, { ...OK_SNAPSHOT, id: 'a' }], "snapshot ids must be unique in a batch, 'a' repeats", false],
  ['liveness hours backwards', '/config/livenessContract', { liveHours: { monday: [{ start: '17:00', end: '08:00' }] } }, 'body.liveHours.monday[0]: start 17:00 must be before end 08:00', false],
  ['an unknown topic', '/subscription', { topic: 'requests.everything', callbackUrl: 'https://x.example/h' }, 'body.topic: Invalid option', true],
  ['a callback that is not a URL', '/subscription', { topic: 'requests.*', callbackUrl: 'not a url' }, 'body.callbackUrl: must be an absolute http(s) URL', false],
  ['expiry before start', '/subscription', { topic: 'requests.*', callbackUrl: 'https://x.example/h', startAt: '2030-01-02 00:00:00', expireAt: '2030-01-01 00:00:00' }, 'body.expireAt: must be after startAt', false],
  ['no appointment ids on confirm', '/bookings/1/confirmInsert', { pmsAppointmentIds: [], pmsPatientId: 'p' }, 'body.pmsAppointmentIds: must list at least one', false],
  ['no patient id on confirm', '/bookings/1/confirmInsert', { pmsAppointmentIds: ['a'] }, 'body.pmsPatientId: is required', true],
  ['a numeric reason', '/bookings/1/cancel', { reason: 42 }, 'body.reason', true],
  ['an unknown client-snapshot date type', '/clientSnapshot', { date: DAY, dateType: 'today', locations: [], practitioners: [], appointmentTypes: [], appointments: [], patients: [] }, 'body.dateType', true],
];

describe('strict body validation', () => {
  it.each(INVALID)('400 for %s', async (_what, path, body, error, specRejects) => {
    const res = await rawCall(sandbox, 'POST', path, { body });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toContain(error);
    if (spec) {
      const schema = requestBodySchema(findOperation(spec, 'POST', path)!)!;
      // where the spec is loose, the sandbox's explicit check is what rejects it
      expect(validateAgainstSpec(spec, schema, body).length > 0).toBe(specRejects);
    }
  });
});

describe('inspection', () => {
  it('lists calls with secrets masked, bodies and answers kept', async () => {
    sandbox.admin.clearCalls();
    await rawCall(sandbox, 'POST', '/bookings/424242/rejectInsert', { body: { reason: 'test' } });
    const calls = sandbox.admin.calls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: '/bookings/424242/rejectInsert',
      practiceId: '1001',
      body: { reason: 'test' },
      status: 404,
      response: { error: 'booking 424242 not found for this practice' },
      headers: { 'api-key': '***', 'practice-key': '***', 'practice-id': '1001', 'user-agent': USER_AGENT },
    });
    expect(JSON.stringify(calls)).not.toContain(API_KEY);
    expect(JSON.stringify(calls)).not.toContain(GRANTED.practiceKey);
    sandbox.admin.clearCalls();
    expect(sandbox.admin.calls()).toEqual([]);
  });

  it('injected faults reach the client, which retries through them', async () => {
    sandbox.admin.injectFault({ path: '/requests', status: 503, times: 2 });
    const client = clientFor(sandbox, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    expect(await client.getRequests(GRANTED)).toEqual([]);
    await client.close();
    expect(sandbox.admin.calls({ path: '/requests' }).map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it('an injected connection reset is retried by the client too', async () => {
    sandbox.admin.clearCalls();
    sandbox.admin.injectFault({ method: 'GET', path: /^\/features/, reset: true });
    const client = clientFor(sandbox, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    expect(await client.listFeatures(GRANTED)).toHaveLength(3);
    await client.close();
    expect(sandbox.admin.calls().map((c) => [c.path, c.status])).toEqual([
      ['/features', 0],
      ['/features', 200],
    ]);
  });
});
