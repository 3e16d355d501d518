// Request queues: what GET /requests lists, pagination, feature gating, and
// how each kind of request is resolved; the availability batch answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthengineClient } from '../../src/healthengine/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { clientFor, DAY, dayFromToday, GRANTED, rawCall, RESOURCES, seedPractice, snapshot, startSandbox, TYPES } from './fixture.ts';

let sandbox: Sandbox;
let client: HealthengineClient;
beforeAll(async () => {
  sandbox = await startSandbox({ perPage: 2 });
  client = clientFor(sandbox);
  await seedPractice(client);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

describe('queues and pages', () => {
  it('pages through a queue and answers an empty page beyond the last', async () => {
    const days = [1, 2, 3, 4, 5].map((d) => dayFromToday(d + 10));
    for (const day of days) sandbox.admin.requestAvailability('1001', { day });
    const pages = await Promise.all([1, 2, 3, 4].map((p) => client.getAvailabilityRequests(GRANTED, p)));
    expect(pages.map((p) => p.data.map((r) => r.day))).toEqual([days.slice(0, 2), days.slice(2, 4), days.slice(4), []]);
    expect(pages[3]!.page).toEqual({ currentPage: 4, totalPages: 3, perPage: 2, total: 5 });
  });

  it('resolves a day-wide availability request with any snapshot of that day, a resource one only with its own', async () => {
    for (let d = 11; d <= 15; d++) await client.postAvailabilitySnapshot(GRANTED, snapshot('dr-1', dayFromToday(d), []));
    expect(await client.getRequests(GRANTED)).toEqual([]);
    const day = dayFromToday(40);
    sandbox.admin.requestAvailability('1001', { day, pmsResourceId: 'dr-2' });
    await client.postAvailabilitySnapshot(GRANTED, snapshot('dr-1', day, []));
    expect((await client.getAvailabilityRequests(GRANTED)).data.some((r) => r.day === day)).toBe(true);
    await client.postAvailabilitySnapshot(GRANTED, snapshot('dr-2', day, []));
    expect((await client.getAvailabilityRequests(GRANTED)).data.some((r) => r.day === day)).toBe(false);
    sandbox.admin.requestAvailability('1001', { day });
    await client.postAvailabilitySnapshot(GRANTED, snapshot('dr-1', day, [{ start: '09:00', end: '09:15', slotLength: 900 }]));
    expect(await client.getRequests(GRANTED)).toEqual([]);
  });

  it('lists pmsResources and pmsAppointmentTypes requests, resolved by pushing those snapshots', async () => {
    sandbox.admin.enqueue('1001', 'pmsAppointmentTypes');
    sandbox.admin.enqueue('1001', 'pmsResources');
    expect(await client.getRequests(GRANTED)).toEqual(['pmsResources', 'pmsAppointmentTypes']);
    await client.postResourcesSnapshot(GRANTED, RESOURCES);
    await client.postAppointmentTypesSnapshot(GRANTED, TYPES);
    expect(await client.getRequests(GRANTED)).toEqual([]);
    expect(sandbox.admin.getPractice('1001').handledRequests.slice(-2).map((r) => [r.type, r.outcome])).toEqual([
      ['pmsResources', 'snapshot'],
      ['pmsAppointmentTypes', 'snapshot'],
    ]);
  });

  it('gives extra-feature requests only while their feature is enabled', async () => {
    expect(() => sandbox.admin.enqueue('1001', 'clientSnapshots', { date: DAY, dateType: 'appt_datetime' })).toThrow(/only come once their feature is enabled/);
    await client.enableFeature(GRANTED, 'clientSnapshots');
    sandbox.admin.enqueue('1001', 'clientSnapshots', { date: DAY, dateType: 'appt_creation_datetime' });
    expect(await client.getRequests(GRANTED)).toEqual(['clientSnapshots']);
    await client.disableFeature(GRANTED, 'clientSnapshots');
    expect(await client.getRequests(GRANTED)).toEqual([]);
    expect((await client.getClientSnapshotRequests(GRANTED)).data).toEqual([]);
    const push = await rawCall(sandbox, 'POST', '/clientSnapshot', {
      body: { date: DAY, dateType: 'appt_datetime', locations: [], practitioners: [], appointmentTypes: [], appointments: [], patients: [] },
    });
    expect(push.status).toBe(403);
  });

  it('refuses admin requests that name nothing real', () => {
    expect(() => sandbox.admin.enqueue('1001', 'bookings')).toThrow(/come from book\(\)/);
    expect(() => sandbox.admin.requestAppointmentChanges('1001', 123456)).toThrow(/booking 123456 not found/);
    expect(() => sandbox.admin.requestAvailability('1001', { day: '2030-13-01' })).toThrow(/day: must be a real calendar date/);
  });
});

describe('availability batches', () => {
  it('reports unchanged snapshots as existing, and fails duplicates and invalid items one by one', async () => {
    const day = dayFromToday(50);
    const first = await client.postAvailabilitySnapshots(GRANTED, [snapshot('dr-1', day, [{ start: '09:00', end: '10:00', slotLength: 900 }], 'a')]);
    expect(first.created).toEqual(['a']);
    const res = await rawCall(sandbox, 'POST', '/availability/snapshots', {
      body: [
        snapshot('dr-1', day, [{ start: '09:00', end: '10:00', slotLength: 900 }], 'a'),
        snapshot('dr-1', day, [], 'twin'),
        { pmsResourceId: 'dr-2', date: day, availability: [{ start: '9', end: '10:00', slotLength: 900 }] },
        snapshot('dr-2', day, [{ start: '09:00', end: '10:00', slotLength: 600 }]),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      created: ['3'],
      existing: ['a'],
      failed: ['twin', '2'],
      errors: [
        { snapshot: 'twin', error: 'same pmsResourceId and date as snapshot a in this batch' },
        { snapshot: '2', error: 'availability[0].start: must be a time HH:MM (24-hour)' },
      ],
    });
  });
});
