// The admin API over HTTP (what the demo and other tools use), and starting
// the sandbox the way the CLI does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthengineClient } from '../../src/healthengine/index.ts';
import { parsePracticeSeed, runSandboxFromCli, type Sandbox } from '../../src/sandbox/index.ts';
import { API_KEY, clientFor, DAY, GRANTED, PATIENT, seedPractice, startSandbox } from './fixture.ts';

let sandbox: Sandbox;
let client: HealthengineClient;
beforeAll(async () => {
  sandbox = await startSandbox();
  client = clientFor(sandbox);
  await seedPractice(client);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sandbox.adminUrl}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('admin over HTTP', () => {
  it('adds a practice and changes its consent', async () => {
    expect((await admin('POST', '/practices', { practiceId: '4004', practiceKey: 'k-4004', consent: 'never' })).status).toBe(201);
    expect((await admin('POST', '/practices', { practiceId: '4004', practiceKey: 'k', consent: 'never' })).status).toBe(409);
    expect((await admin('POST', '/practices', { practiceId: '5005', consent: 'never' })).json).toEqual({ error: 'practiceKey: is required' });
    const creds = { practiceId: '4004', practiceKey: 'k-4004' };
    await expect(client.getRequests(creds)).rejects.toMatchObject({ code: 'consent_required' });
    expect((await admin('PUT', '/practices/4004/consent', { consent: 'granted' })).status).toBe(200);
    expect(await client.getRequests(creds)).toEqual([]);
    expect((await admin('PUT', '/practices/4004/consent', { consent: 'maybe' })).status).toBe(400);
  });

  it('books, cancels and asks for changes and availability as Healthengine would', async () => {
    const booked = await admin('POST', '/practices/1001/bookings', { pmsResourceId: 'dr-1', date: DAY, time: '09:00', patient: PATIENT });
    expect(booked.status).toBe(201);
    const { bookingId } = booked.json as { bookingId: number };
    await client.confirmInsert(GRANTED, bookingId, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' });
    expect((await admin('GET', `/practices/1001/bookings/${bookingId}`)).json).toMatchObject({ bookingId, state: 'Confirmed', confirmedBy: 'pms' });
    const changes = await admin('POST', `/practices/1001/bookings/${bookingId}/appointmentChanges`);
    const cancel = await admin('POST', `/practices/1001/bookings/${bookingId}/cancel`);
    const avail = await admin('POST', '/practices/1001/requests/availability', { day: DAY, pmsResourceId: 'dr-1' });
    expect([changes.status, cancel.status, avail.status]).toEqual([201, 201, 201]);
    expect(await client.getRequests(GRANTED)).toEqual(['bookingUpdates', 'availability', 'pmsAppointmentChanges']);
    const state = (await admin('GET', '/practices/1001')).json as { pendingRequests: { requestId: number }[]; resources: unknown[]; practiceKey?: string };
    expect(state.pendingRequests.map((r) => r.requestId)).toEqual([
      (changes.json as { requestId: number }).requestId,
      (cancel.json as { requestId: number }).requestId,
      (avail.json as { requestId: number }).requestId,
    ]);
    expect(state.resources).toHaveLength(2);
    expect(state).not.toHaveProperty('practiceKey');
    expect((await admin('POST', '/practices/1001/requests/everything', {})).status).toBe(400);
  });

  it('lists calls (masked) and webhook deliveries, clears calls, injects faults', async () => {
    const calls = (await admin('GET', '/calls?path=/requests')).json as { headers: Record<string, string> }[];
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.headers['api-key'] === '***')).toBe(true);
    expect(JSON.stringify(calls)).not.toContain(API_KEY);
    expect((await admin('GET', '/webhooks')).json).toEqual([]);
    expect((await admin('DELETE', '/calls')).status).toBe(204);
    expect((await admin('GET', '/calls')).json).toEqual([]);
    expect((await admin('POST', '/faults', { pathPattern: '^/features', status: 502, times: 1 })).status).toBe(201);
    const noRetry = clientFor(sandbox, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await expect(noRetry.listFeatures(GRANTED)).rejects.toMatchObject({ code: 'transient', lastFailure: 'status 502' });
    expect(await noRetry.listFeatures(GRANTED)).toHaveLength(3);
    await noRetry.close();
    expect((await admin('POST', '/faults', { status: 'soon' })).status).toBe(400);
  });

  it('answers 404 for unknown admin paths and JSON errors for bad bodies', async () => {
    expect((await admin('GET', '/nothing')).status).toBe(404);
    const res = await fetch(`${sandbox.adminUrl}/practices`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'body is not valid JSON' });
  });
});

describe('starting from the CLI', () => {
  it('parses practice seeds', () => {
    expect(parsePracticeSeed('1001:secret')).toEqual({ practiceId: '1001', practiceKey: 'secret', consent: 'granted' });
    expect(parsePracticeSeed('2002:k:revoked')).toEqual({ practiceId: '2002', practiceKey: 'k', consent: 'revoked' });
    expect(() => parsePracticeSeed('2002:k:perhaps')).toThrow(/id:key/);
    expect(() => parsePracticeSeed('2002')).toThrow(/id:key/);
  });

  it('starts, prints the URLs, and serves the seeded practice', async () => {
    const lines: string[] = [];
    const started = await runSandboxFromCli(
      { port: 0, host: '127.0.0.1', apiKey: API_KEY, practices: [{ ...GRANTED, consent: 'granted' }], timeScale: 0.5 },
      (l) => lines.push(l),
    );
    try {
      expect(lines.join('\n')).toContain(`PMS API base URL: ${started.url}`);
      expect(lines.join('\n')).toContain('time scale: 0.5');
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pms-api\/v1$/);
      const c = clientFor(started);
      expect(await c.getRequests(GRANTED)).toEqual([]);
      await c.close();
    } finally {
      await started.close();
    }
  });
});
