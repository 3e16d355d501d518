// Webhook delivery: skinny payloads to matching live subscriptions, the 5 s
// receiver timeout, three retries after 10, 100 and 1000 s (time-scaled
// here to 10, 100 and 1000 ms), and the subscription error log.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookPayloadSchema, type HealthengineClient } from '../../src/healthengine/index.ts';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.ts';
import { clientFor, DAY, GRANTED, PATIENT, seedPractice, startSandbox, unreachableUrl, waitFor } from './fixture.ts';

interface Received {
  at: number;
  body: unknown;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function receiver(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ at: performance.now(), body: JSON.parse(text) });
      answer(received.length, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function setUp(opts: Partial<SandboxOptions> = {}): Promise<{ sandbox: Sandbox; client: HealthengineClient }> {
  const sandbox = await startSandbox(opts);
  const client = clientFor(sandbox);
  cleanup.push(() => sandbox.close(), () => client.close());
  await seedPractice(client);
  return { sandbox, client };
}

const ok = (_n: number, _q: IncomingMessage, res: ServerResponse) => res.writeHead(200).end();

describe('delivery', () => {
  it('posts the skinny payload of the spec to each matching subscription, without patient data', async () => {
    const hook = await receiver(ok);
    const { sandbox, client } = await setUp();
    const bookings = await client.createSubscription(GRANTED, { topic: 'requests.bookings', callbackUrl: hook.url, clientId: 'my-client' });
    const all = await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: hook.url });
    await client.createSubscription(GRANTED, { topic: 'requests.bookingUpdates', callbackUrl: hook.url });
    const bookingId = sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time: '09:00', patient: PATIENT });
    await waitFor(() => hook.received.length >= 2, 10_000, 'two deliveries');
    const payloads = hook.received.map((r) => WebhookPayloadSchema.parse(r.body));
    expect(payloads.map((p) => p.id).sort()).toEqual([bookings.id, all.id].sort());
    expect(payloads.find((p) => p.id === bookings.id)).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      id: bookings.id,
      clientId: 'my-client',
      topic: 'requests.bookings',
      data: { target: '/requests/bookings', requestType: 'bookings', bookingId },
    });
    expect(payloads.find((p) => p.id === all.id)).toMatchObject({ clientId: null, topic: 'requests.*' });
    expect(JSON.stringify(hook.received)).not.toContain(PATIENT.lastname);
  });

  it('carries requestId, and a null target for snapshot request types', async () => {
    const hook = await receiver(ok);
    const { sandbox, client } = await setUp();
    await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: hook.url });
    const availability = sandbox.admin.requestAvailability('1001', { day: DAY });
    const resources = sandbox.admin.enqueue('1001', 'pmsResources');
    await waitFor(() => hook.received.length >= 2, 10_000, 'two deliveries');
    const data = hook.received.map((r) => (r.body as { data: unknown }).data);
    expect(data).toEqual(
      expect.arrayContaining([
        { target: '/requests/availability', requestType: 'availability', requestId: availability },
        { target: null, requestType: 'pmsResources', requestId: resources },
      ]),
    );
  });

  it('skips subscriptions not yet started or already expired', async () => {
    let now = Date.parse('2030-06-01T00:00:00Z');
    const hook = await receiver(ok);
    const { sandbox, client } = await setUp({ clock: { now: () => now } });
    await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: hook.url, expireAt: '2030-06-01 01:00:00' });
    await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: `${hook.url}?later`, startAt: '2030-06-02 00:00:00' });
    now += 2 * 3600_000; // the first has expired, the second not started
    sandbox.admin.enqueue('1001', 'pmsResources');
    now += 24 * 3600_000; // now the second is live
    sandbox.admin.enqueue('1001', 'pmsAppointmentTypes');
    await waitFor(() => sandbox.admin.webhookDeliveries().every((d) => d.state !== 'pending') && sandbox.admin.webhookDeliveries().length > 0);
    expect(sandbox.admin.webhookDeliveries().map((d) => [d.callbackUrl.endsWith('?later'), d.payload.data.requestType])).toEqual([[true, 'pmsAppointmentTypes']]);
  });
});

describe('failures, retries and the error log', () => {
  it('retries three times after 10, 100 and 1000 (scaled) seconds, logging each failure, then gives up', async () => {
    const hook = await receiver((_n, _q, res) => res.writeHead(500).end('down'));
    const { sandbox, client } = await setUp({ timeScale: 0.001 }); // 10/100/1000 s -> 10/100/1000 ms
    const sub = await client.createSubscription(GRANTED, { topic: 'requests.availability', callbackUrl: hook.url });
    sandbox.admin.requestAvailability('1001', { day: DAY });
    const delivery = await waitFor(() => sandbox.admin.webhookDeliveries().find((d) => d.state === 'failed'), 20_000, 'delivery to fail');
    expect(delivery.attempts.map((a) => [a.attempt, a.outcome, a.status])).toEqual([
      [1, 'http_error', 500],
      [2, 'http_error', 500],
      [3, 'http_error', 500],
      [4, 'http_error', 500],
    ]);
    const gaps = hook.received.slice(1).map((r, i) => r.at - hook.received[i]!.at);
    expect(gaps).toHaveLength(3);
    [10, 100, 1000].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2)); // lower bounds only
    const log = await client.getSubscriptionErrorLog(GRANTED, { subscriptionId: sub.id });
    expect(log.data.map((e) => [e.attempt, e.errorType, e.subscriptionTopic, e.callbackUrl])).toEqual(
      [1, 2, 3, 4].map((n) => [n, 'http_error', 'requests.availability', hook.url]),
    );
    expect(log.data[0]?.payload?.data).toMatchObject({ requestType: 'availability' });
    expect(log.data[0]?.errorMessage).toBe('callback answered HTTP 500');
  });

  it('counts no answer within the timeout as a failure, and the retry can succeed', async () => {
    const hook = await receiver((n, _q, res) => {
      if (n === 1) setTimeout(() => res.writeHead(200).end(), 5_000).unref();
      else res.writeHead(204).end();
    });
    const { sandbox, client } = await setUp({ timeScale: 0.001, webhookTimeoutMs: 500 });
    await client.createSubscription(GRANTED, { topic: 'requests.bookings', callbackUrl: hook.url });
    sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time: '09:00', patient: PATIENT });
    const delivery = await waitFor(() => sandbox.admin.webhookDeliveries().find((d) => d.state === 'delivered'), 10_000, 'delivery');
    expect(delivery.attempts.map((a) => a.outcome)).toEqual(['timeout', 'delivered']);
    expect(delivery.attempts[0]!.durationMs).toBeGreaterThanOrEqual(490);
    const log = await client.getSubscriptionErrorLog(GRANTED);
    expect(log.data).toEqual([expect.objectContaining({ attempt: 1, errorType: 'timeout', errorMessage: 'no answer within 500 ms' })]);
  });

  it('logs an unreachable callback as a connection error', async () => {
    const { sandbox, client } = await setUp({ webhookRetryDelaysSeconds: [] });
    await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: await unreachableUrl() });
    sandbox.admin.enqueue('1001', 'pmsResources');
    await waitFor(() => sandbox.admin.webhookDeliveries()[0]?.state === 'failed', 10_000, 'failure');
    const log = await client.getSubscriptionErrorLog(GRANTED);
    expect(log.data).toEqual([expect.objectContaining({ attempt: 1, errorType: 'connection_error', errorMessage: expect.stringContaining('ECONNREFUSED') })]);
  });

  it('stops retrying once the subscription is deleted', async () => {
    const hook = await receiver((_n, _q, res) => res.writeHead(503).end());
    const { sandbox, client } = await setUp({ timeScale: 0.1, webhookRetryDelaysSeconds: [10] }); // retry after 1 s
    const sub = await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: hook.url });
    sandbox.admin.enqueue('1001', 'pmsResources');
    await waitFor(() => sandbox.admin.webhookDeliveries()[0]?.attempts.length === 1, 10_000, 'first attempt');
    await client.deleteSubscription(GRANTED, sub.id);
    await waitFor(() => sandbox.admin.webhookDeliveries()[0]?.state === 'failed', 10_000, 'delivery to end');
    expect(hook.received).toHaveLength(1);
  });

  it('filters the error log by time and answers 404 for an unknown subscription', async () => {
    const { sandbox, client } = await setUp({ webhookRetryDelaysSeconds: [] });
    await client.createSubscription(GRANTED, { topic: 'requests.*', callbackUrl: await unreachableUrl() });
    sandbox.admin.enqueue('1001', 'pmsResources');
    await waitFor(() => sandbox.admin.webhookDeliveries()[0]?.state === 'failed', 10_000, 'failure');
    expect((await client.getSubscriptionErrorLog(GRANTED, { from: '2000-01-01 00:00:00' })).data).toHaveLength(1);
    expect((await client.getSubscriptionErrorLog(GRANTED, { to: '2000-01-01 00:00:00' })).data).toHaveLength(0);
    await expect(client.getSubscriptionErrorLog(GRANTED, { subscriptionId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
