// Every client operation against the sandbox over real HTTP.
// At the end, every call this file made is checked against openapi.yaml:
// request bodies against the operation's schema, statuses against the ones it
// lists, answers against their response schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, HealthengineClient, isHealthengineError } from '../../src/healthengine/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { spec, trafficProblems } from '../support/openapi.ts';
import {
  API_KEY,
  clientFor,
  DAY,
  GRANTED,
  LIVENESS,
  NEVER,
  PATIENT,
  RESOURCES,
  REVOKED,
  seedPractice,
  snapshot,
  startSandbox,
  TYPES,
  USER_AGENT,
} from '../sandbox/fixture.ts';

let sandbox: Sandbox;
let client: HealthengineClient;
const used = new Set<string>();

beforeAll(async () => {
  sandbox = await startSandbox({ perPage: 2 });
  client = clientFor(sandbox);
  await seedPractice(client);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

function mark(...names: (keyof typeof ENDPOINTS)[]) {
  for (const n of names) used.add(n);
}

describe('configuration', () => {
  it('round-trips the liveness contract', async () => {
    mark('postLivenessContract', 'getLivenessContract');
    expect(await client.getLivenessContract(GRANTED)).toEqual(LIVENESS);
  });

  it('lists and finds resources and appointment types', async () => {
    mark('getResources', 'findResourceById', 'getAppointmentTypes', 'findAppointmentTypeById', 'postResourcesSnapshot', 'postAppointmentTypesSnapshot');
    expect(await client.getResources(GRANTED)).toEqual(RESOURCES);
    expect(await client.findResourceById(GRANTED, 'dr-2')).toEqual(RESOURCES[1]);
    expect(await client.findResourceById(GRANTED, 'nobody')).toBeUndefined();
    expect(await client.getAppointmentTypes(GRANTED)).toEqual(TYPES);
    expect(await client.findAppointmentTypeById(GRANTED, 'long:dr-1')).toEqual(TYPES[1]);
  });

  it('treats a resource missing from a new snapshot as deleted', async () => {
    await client.postResourcesSnapshot(GRANTED, [...RESOURCES, { pmsResourceId: 'room-9', pmsResourceName: 'Room 9' }]);
    expect((await client.getResources(GRANTED)).map((r) => r.pmsResourceId)).toEqual(['dr-1', 'dr-2', 'room-9']);
    await client.postResourcesSnapshot(GRANTED, RESOURCES);
    expect(await client.findResourceById(GRANTED, 'room-9')).toBeUndefined();
  });
});

describe('availability', () => {
  it('stores a single snapshot', async () => {
    mark('postAvailabilitySnapshot');
    expect(sandbox.admin.getPractice('1001').availability['dr-1']?.[DAY]).toEqual([{ start: '09:00', end: '12:00', slotLength: 900 }]);
  });

  it('answers a batch with created, existing, failed and errors', async () => {
    mark('postAvailabilitySnapshots');
    const batch = [
      snapshot('dr-1', DAY, [{ start: '09:00', end: '12:00', slotLength: 900 }], 'same'),
      snapshot('dr-2', DAY, [{ start: '13:00', end: '15:00', slotLength: 0, pmsAppointmentTypeIds: ['std'] }], 'new'),
      snapshot('ghost', DAY, [{ start: '13:00', end: '15:00', slotLength: 900 }]),
    ];
    const result = await client.postAvailabilitySnapshots(GRANTED, batch);
    expect(result).toEqual({
      created: ['new'],
      existing: ['same'],
      failed: ['2'],
      errors: [{ snapshot: '2', error: expect.stringContaining("pmsResourceId: 'ghost'") }],
    });
  });
});

describe('requests and bookings', () => {
  it('walks a booking from request to confirmation, and pages through requests', async () => {
    mark('getRequests', 'getBookingRequests', 'confirmInsert', 'rejectInsert');
    const ids = ['09:00', '09:15', '09:30'].map((time) =>
      sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time, patient: PATIENT }),
    );
    expect(await client.getRequests(GRANTED)).toEqual(['bookings']);
    const page1 = await client.getBookingRequests(GRANTED);
    expect(page1.page).toEqual({ currentPage: 1, totalPages: 2, perPage: 2, total: 3 });
    expect(page1.data.map((b) => b.bookingId)).toEqual(ids.slice(0, 2));
    const first = page1.data[0];
    expect(first).toMatchObject({
      bookingStatus: 'Requested',
      pmsResourceId: 'dr-1',
      pmsAppointmentTime: `${DAY} 09:00:00`,
      pmsAppointmentLength: 900,
      pmsPatientId: null,
      patient: { firstname: 'Grace', dob: '09-12-1906' },
    });
    const page2 = await client.getBookingRequests(GRANTED, 2);
    expect(page2.data.map((b) => b.bookingId)).toEqual(ids.slice(2));

    await client.confirmInsert(GRANTED, ids[0]!, { pmsAppointmentIds: ['A-1'], pmsPatientId: 'P-1' });
    await client.rejectInsert(GRANTED, ids[1]!, { reason: 'slot taken in the PMS' });
    await client.confirmInsert(GRANTED, ids[2]!, { pmsAppointmentIds: ['A-3'], pmsPatientId: 'P-3' });
    expect(sandbox.admin.getBooking('1001', ids[0]!)).toMatchObject({ state: 'Confirmed', confirmedBy: 'pms', pmsAppointmentIds: ['A-1'] });
    expect(sandbox.admin.getBooking('1001', ids[1]!)).toMatchObject({ state: 'Rejected', bookingStatus: 'Cancelled' });
    // the rejection makes Healthengine ask for that day's availability again
    expect(await client.getRequests(GRANTED)).toEqual(['availability']);
  });

  it('lists availability requests with both resource id spellings, resolved by a snapshot', async () => {
    mark('getAvailabilityRequests');
    const page = await client.getAvailabilityRequests(GRANTED);
    expect(page.data).toEqual([{ day: DAY, pmsResourceId: 'dr-1', pms_resource_id: 'dr-1' }]);
    await client.postAvailabilitySnapshot(GRANTED, snapshot('dr-1', DAY, [{ start: '10:00', end: '12:00', slotLength: 900 }]));
    expect(await client.getRequests(GRANTED)).toEqual([]);
  });

  it('handles a patient cancellation as a booking update', async () => {
    mark('getBookingUpdateRequests', 'confirmUpdate', 'rejectUpdate');
    const a = sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time: '10:00', patient: PATIENT });
    const b = sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time: '10:15', patient: PATIENT });
    await client.confirmInsert(GRANTED, a, { pmsAppointmentIds: ['A-10'], pmsPatientId: 'P-10' });
    await client.confirmInsert(GRANTED, b, { pmsAppointmentIds: ['A-11'], pmsPatientId: 'P-11' });
    const ra = sandbox.admin.cancelBooking('1001', a);
    const rb = sandbox.admin.cancelBooking('1001', b);
    const updates = await client.getBookingUpdateRequests(GRANTED);
    expect(updates.data).toEqual([
      expect.objectContaining({ requestId: ra, bookingId: a, bookingStatus: 'Cancelled', pmsAppointmentIds: ['A-10'], pmsPatientId: 'P-10' }),
      expect.objectContaining({ requestId: rb, bookingId: b, bookingStatus: 'Cancelled' }),
    ]);
    await client.confirmUpdate(GRANTED, a, ra);
    await client.rejectUpdate(GRANTED, b, rb, { reason: 'already attended' });
    const handled = sandbox.admin.getPractice('1001').handledRequests.filter((r) => r.type === 'bookingUpdates');
    expect(handled.map((r) => [r.requestId, r.outcome])).toEqual([
      [ra, 'confirmUpdate'],
      [rb, 'rejectUpdate'],
    ]);
  });

  it('answers appointment-change requests with cancel, didNotAttend and noPmsAppointmentChange', async () => {
    mark('getPmsAppointmentChangeRequests', 'cancelBooking', 'didNotAttend', 'noPmsAppointmentChange');
    const ids = ['10:30', '10:45', '11:00'].map((time) =>
      sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time, patient: PATIENT }),
    );
    for (const id of ids) {
      await client.confirmInsert(GRANTED, id, { pmsAppointmentIds: [`A-${id}`], pmsPatientId: `P-${id}` });
      sandbox.admin.requestAppointmentChanges('1001', id);
    }
    const changes = await client.getPmsAppointmentChangeRequests(GRANTED, 1);
    expect(changes.page.total).toBe(3);
    expect(changes.data[0]).toEqual({ bookingId: ids[0], pmsAppointmentIds: [`A-${ids[0]}`], pmsPatientId: `P-${ids[0]}` });
    await client.cancelBooking(GRANTED, ids[0]!, { reason: 'patient rang' });
    await client.didNotAttend(GRANTED, ids[1]!, {});
    await client.noPmsAppointmentChange(GRANTED, ids[2]!);
    expect(sandbox.admin.getBooking('1001', ids[0]!)).toMatchObject({ state: 'Cancelled', cancelledBy: 'pms' });
    expect(sandbox.admin.getBooking('1001', ids[1]!)).toMatchObject({ state: 'Confirmed', didNotAttend: true });
    expect((await client.getPmsAppointmentChangeRequests(GRANTED)).data).toEqual([]);
  });
});

describe('features and extra-feature requests', () => {
  it('lists, gets, enables and disables features', async () => {
    mark('listFeatures', 'getFeature', 'enableFeature', 'disableFeature');
    expect((await client.listFeatures(GRANTED)).map((f) => [f.id, f.enabled])).toEqual([
      ['documents', false],
      ['clientSnapshots', false],
      ['attachDocuments', false],
    ]);
    await client.enableFeature(GRANTED, 'clientSnapshots');
    expect(await client.getFeature(GRANTED, 'clientSnapshots')).toMatchObject({ id: 'clientSnapshots', enabled: true });
    await client.disableFeature(GRANTED, 'clientSnapshots');
    expect((await client.getFeature(GRANTED, 'clientSnapshots')).enabled).toBe(false);
  });

  it('serves the document, client-snapshot and attach-document flows once enabled', async () => {
    mark(
      'getAvailableDocumentsRequests', 'getUploadDocumentsRequests', 'getClientSnapshotRequests', 'getAttachDocumentRequests',
      'postAvailableDocuments', 'uploadDocument', 'rejectDocumentUpload', 'sendClientSnapshot',
      'getAttachDocument', 'confirmAttachDocument', 'rejectAttachDocument',
    );
    for (const f of ['documents', 'clientSnapshots', 'attachDocuments']) await client.enableFeature(GRANTED, f);
    const booking = sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time: '11:15', patient: PATIENT });
    sandbox.admin.enqueue('1001', 'availableDocuments', { bookingId: booking });
    sandbox.admin.enqueue('1001', 'uploadDocuments', { bookingId: booking, pmsDocumentId: 'D-1' });
    sandbox.admin.enqueue('1001', 'uploadDocuments', { bookingId: booking, pmsDocumentId: 'D-2' });
    sandbox.admin.enqueue('1001', 'clientSnapshots', { date: DAY, dateType: 'appt_datetime' });
    const attach1 = sandbox.admin.enqueue('1001', 'attachDocuments', { pmsPatientId: 'P-1', documentName: 'New Patient Form', documentContent: 'aGVsbG8=' });
    const attach2 = sandbox.admin.enqueue('1001', 'attachDocuments', { pmsPatientId: 'P-1', documentName: 'Referral', documentContent: 'aGk=' });

    expect((await client.getAvailableDocumentsRequests(GRANTED)).data).toEqual([{ bookingId: booking, pmsAppointmentIds: [] }]);
    expect((await client.getUploadDocumentsRequests(GRANTED)).data.map((r) => r.pmsDocumentId)).toEqual(['D-1', 'D-2']);
    expect((await client.getClientSnapshotRequests(GRANTED)).data).toEqual([{ date: DAY, dateType: 'appt_datetime' }]);
    const attach = await client.getAttachDocumentRequests(GRANTED);
    expect(attach.data.map((r) => r.requestId)).toEqual([attach1, attach2]);
    expect(attach.data[0]).not.toHaveProperty('documentContent');

    await client.postAvailableDocuments(GRANTED, [{ bookingId: booking, pmsDocumentId: 'D-1', documentType: 'scripts', documentSize: 5 }]);
    await client.uploadDocument(GRANTED, { bookingId: booking, pmsDocumentId: 'D-1', documentContent: 'aGVsbG8=' });
    await client.rejectDocumentUpload(GRANTED, { bookingId: booking, pmsDocumentId: 'D-2', reason: 'withdrawn' });
    await client.sendClientSnapshot(GRANTED, {
      date: DAY, dateType: 'appt_datetime', locations: [], practitioners: [], appointmentTypes: [], appointments: [], patients: [],
    });
    expect(await client.getAttachDocument(GRANTED, attach1)).toMatchObject({ documentName: 'New Patient Form', documentContent: 'aGVsbG8=' });
    await client.confirmAttachDocument(GRANTED, attach1, { pmsDocumentId: 'PMS-DOC-1' });
    await client.rejectAttachDocument(GRANTED, attach2, { reason: 'not supported' });
    await expect(client.getAttachDocument(GRANTED, attach1)).rejects.toMatchObject({ code: 'gone', status: 410 });
    expect(await client.getRequests(GRANTED)).toEqual(['bookings']); // only the new booking is left
  });
});

describe('subscriptions', () => {
  it('creates, updates, lists, gets and deletes, and reads the error log', async () => {
    mark('createSubscription', 'listSubscriptions', 'getSubscription', 'deleteSubscription', 'getSubscriptionErrorLog');
    const created = await client.createSubscription(GRANTED, {
      topic: 'requests.bookings',
      callbackUrl: 'http://127.0.0.1:9/hooks',
      clientId: 'c-1',
      expireAt: '2099-01-01 00:00:00',
    });
    expect(created).toMatchObject({ id: expect.any(String), topic: 'requests.bookings', clientId: 'c-1', expireAt: '2099-01-01 00:00:00' });
    const updated = await client.createSubscription(GRANTED, { id: created.id, topic: 'requests.*', callbackUrl: 'http://127.0.0.1:9/all' });
    expect(updated.id).toBe(created.id);
    expect(await client.listSubscriptions(GRANTED)).toEqual([updated]);
    expect(await client.getSubscription(GRANTED, created.id)).toEqual(updated);
    const log = await client.getSubscriptionErrorLog(GRANTED, { subscriptionId: created.id, from: '2000-01-01 00:00:00', page: 1 });
    expect(log).toEqual({ data: [], page: { currentPage: 1, totalPages: 1, perPage: 2, total: 0 } });
    await client.deleteSubscription(GRANTED, created.id);
    await expect(client.getSubscription(GRANTED, created.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });
});

describe('typed errors from the sandbox', () => {
  it('401 for a wrong api-key or practice key', async () => {
    const wrongKey = clientFor(sandbox, { apiKey: 'not-the-key' });
    await expect(wrongKey.getRequests(GRANTED)).rejects.toMatchObject({ code: 'unauthorized', status: 401, endpoint: 'GET /requests' });
    await wrongKey.close();
    await expect(client.getRequests({ practiceId: '1001', practiceKey: 'guess' })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('403 consent_required for revoked and never-granted consent, on any call', async () => {
    await expect(client.postResourcesSnapshot(REVOKED, RESOURCES)).rejects.toMatchObject({
      code: 'consent_required',
      status: 403,
      reason: expect.stringContaining('revoked'),
    });
    await expect(client.getRequests(NEVER)).rejects.toMatchObject({ code: 'consent_required' });
  });

  it('404 not_found and 400 bad_request with the server reason', async () => {
    await expect(client.confirmInsert(GRANTED, 999_999, { pmsAppointmentIds: ['x'], pmsPatientId: 'y' })).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
    const id = sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time: '11:30', patient: PATIENT });
    await client.confirmInsert(GRANTED, id, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' });
    const err = await client.confirmInsert(GRANTED, id, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' }).catch((e: unknown) => e);
    expect(isHealthengineError(err, 'bad_request')).toBe(true);
    expect(err).toMatchObject({ status: 400, reason: `booking ${id} has no pending insert request (already answered)` });
  });

  it('refuses, without a call, a body the spec would reject or a batch over 100', async () => {
    const before = sandbox.admin.calls().length;
    await expect(
      client.postAvailabilitySnapshot(GRANTED, snapshot('dr-1', DAY, [{ start: '9:00', end: '12:00', slotLength: 900 }])),
    ).rejects.toMatchObject({ code: 'bad_request', status: undefined, reason: 'body.availability[0].start: must be a time HH:MM (24-hour)' });
    const many = Array.from({ length: 101 }, (_, i) => snapshot('dr-1', dayFrom(i), []));
    await expect(client.postAvailabilitySnapshots(GRANTED, many)).rejects.toMatchObject({ code: 'bad_request', reason: expect.stringContaining('at most 100') });
    expect(sandbox.admin.calls().length).toBe(before);
  });

  it('refuses a User-Agent not in the vendor format at construction', () => {
    expect(() => new HealthengineClient({ baseUrl: sandbox.url, apiKey: API_KEY, userAgent: 'curl/8.0' })).toThrow(/VENDOR_NAME/);
    expect(() => new HealthengineClient({ baseUrl: sandbox.url, apiKey: API_KEY, userAgent: USER_AGENT })).not.toThrow();
  });
});

function dayFrom(offset: number): string {
  return new Date(Date.UTC(2030, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

describe('coverage', () => {
  it('exercised every operation of ENDPOINTS above', () => {
    expect(Object.keys(ENDPOINTS).filter((n) => !used.has(n))).toEqual([]);
  });
});

describe.skipIf(!spec)('all traffic above conforms to openapi.yaml', () => {
  it('request bodies, statuses and answers match the operation (403 allowed anywhere, per API-FACTS)', () => {
    const calls = sandbox.admin.calls();
    expect(calls.length).toBeGreaterThan(60);
    expect(trafficProblems(spec!, calls)).toEqual([]);
  });
});
