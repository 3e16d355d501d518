// The booking state machine: booking only published slots, the 20 s
// auto-confirm (time-scaled), rejections early and late, patient
// cancellations as updates, and PMS-side changes.
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthengineClient } from '../../src/healthengine/index.ts';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.ts';
import { clientFor, DAY, GRANTED, PATIENT, RESOURCES, seedPractice, snapshot, startSandbox, waitFor } from './fixture.ts';

let sandbox: Sandbox;
let client: HealthengineClient;

async function setUp(opts: Partial<SandboxOptions> = {}) {
  sandbox = await startSandbox(opts);
  client = clientFor(sandbox);
  await seedPractice(client);
}
afterEach(async () => {
  await client.close();
  await sandbox.close();
});

const book = (time: string, extra: Record<string, unknown> = {}) =>
  sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-1', date: DAY, time, patient: PATIENT, ...extra });

describe('booking a slot (as a patient)', () => {
  it('books only what the held availability publishes', async () => {
    await setUp();
    await client.postAvailabilitySnapshot(GRANTED, snapshot('dr-2', DAY, [{ start: '13:00', end: '14:00', slotLength: 0, pmsAppointmentTypeIds: ['std'] }]));
    expect(() => book('09:10')).toThrow(/not on the 15-minute grid/);
    expect(() => book('12:00')).toThrow(/no published range contains 12:00/);
    expect(() => book('09:00', { date: '2031-01-01' })).toThrow(/no availability published/);
    expect(() => book('09:00', { pmsResourceId: 'ghost' })).toThrow(/not in the practice's resources snapshot/);
    expect(() => book('09:00', { pmsAppointmentTypeId: 'nope' })).toThrow(/not in the appointment types snapshot/);
    expect(() => sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-2', date: DAY, time: '13:00', pmsAppointmentTypeId: 'long:dr-1', patient: PATIENT })).toThrow(/only offered by resource dr-1/);
    const ok = book('11:45');
    expect(sandbox.admin.getBooking('1001', ok)).toMatchObject({ state: 'Requested', lengthSeconds: 900, pendingInsert: true });
    expect(() => book('11:45')).toThrow(/overlaps booking/);
    // slotLength < 60: the appointment type's length (15 min for std) decides the grid
    const typed = sandbox.admin.book({ practiceId: '1001', pmsResourceId: 'dr-2', date: DAY, time: '13:45', pmsAppointmentTypeId: 'std', patient: PATIENT });
    expect(sandbox.admin.getBooking('1001', typed).lengthSeconds).toBe(900);
  });

  it('answers 409 with the reason, and 404 for an unknown practice, through the admin HTTP API', async () => {
    await setUp();
    const post = (practice: string, body: unknown) =>
      fetch(`${sandbox.adminUrl}/practices/${practice}/bookings`, { method: 'POST', body: JSON.stringify(body) });
    const taken = await post('1001', { pmsResourceId: 'dr-1', date: DAY, time: '09:07', patient: PATIENT });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual({ error: '09:07 is not on the 15-minute grid of the range 09:00-12:00' });
    expect((await post('nope', { pmsResourceId: 'dr-1', date: DAY, time: '09:00', patient: PATIENT })).status).toBe(404);
    const bad = await post('1001', { pmsResourceId: 'dr-1', date: DAY, time: '9am', patient: PATIENT });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'time: must be a time HH:MM (24-hour)' });
  });
});

describe('Requested -> Confirmed', () => {
  it('auto-confirms after 20 s (time-scaled), keeps the request pending, and records a late rejection', async () => {
    await setUp({ timeScale: 0.01 }); // 20 s -> 200 ms
    const started = performance.now();
    const id = book('09:00');
    expect(sandbox.admin.getBooking('1001', id).state).toBe('Requested');
    await waitFor(() => sandbox.admin.getBooking('1001', id).state === 'Confirmed', 10_000, 'auto-confirm');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190); // timers never fire early
    expect(sandbox.admin.getBooking('1001', id)).toMatchObject({ confirmedBy: 'auto', pendingInsert: true, bookingStatus: 'Confirmed' });
    const listed = await client.getBookingRequests(GRANTED);
    expect(listed.data).toEqual([expect.objectContaining({ bookingId: id, bookingStatus: 'Confirmed' })]);
    await client.rejectInsert(GRANTED, id, { reason: 'too late' });
    expect(sandbox.admin.getBooking('1001', id)).toMatchObject({ state: 'Confirmed', rejectedTooLate: true, pendingInsert: false });
    expect(await client.getRequests(GRANTED)).toEqual([]); // no availability request: the booking stands
  });

  it('honours autoConfirmSeconds, and a PMS confirmation before it wins', async () => {
    await setUp({ timeScale: 0.01, autoConfirmSeconds: 100 }); // 1 s: ample for the PMS to answer first
    const early = book('09:00');
    await client.confirmInsert(GRANTED, early, { pmsAppointmentIds: ['A1'], pmsPatientId: 'P1' });
    const bookedLate = performance.now();
    const late = book('09:15');
    await waitFor(() => sandbox.admin.getBooking('1001', late).state === 'Confirmed', 10_000, 'auto-confirm');
    expect(performance.now() - bookedLate).toBeGreaterThanOrEqual(990); // 100 s x 0.01, not the default 20 s
    expect(sandbox.admin.getBooking('1001', early).confirmedBy).toBe('pms');
    expect(sandbox.admin.getBooking('1001', late).confirmedBy).toBe('auto');
  });

  it('a rejection in time frees the booking and asks for that day again', async () => {
    await setUp();
    const id = book('09:30');
    await client.rejectInsert(GRANTED, id, {});
    expect(sandbox.admin.getBooking('1001', id)).toMatchObject({ state: 'Rejected', bookingStatus: 'Cancelled' });
    expect((await client.getAvailabilityRequests(GRANTED)).data).toEqual([{ day: DAY, pmsResourceId: 'dr-1', pms_resource_id: 'dr-1' }]);
    expect(book('09:30')).toBeGreaterThan(id); // the slot is free again
  });

  it('refuses a second answer to the same booking', async () => {
    await setUp();
    const id = book('09:00');
    await client.confirmInsert(GRANTED, id, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' });
    await expect(client.rejectInsert(GRANTED, id, {})).rejects.toMatchObject({ code: 'bad_request', reason: expect.stringContaining('already answered') });
  });

  it('a resource removed before the booking is handled comes back as a null pmsResourceId', async () => {
    await setUp();
    const id = book('10:00');
    await client.postResourcesSnapshot(GRANTED, RESOURCES.filter((r) => r.pmsResourceId !== 'dr-1'));
    const page = await client.getBookingRequests(GRANTED);
    expect(page.data).toEqual([expect.objectContaining({ bookingId: id, pmsResourceId: null })]);
  });
});

describe('updates and PMS-side changes', () => {
  it('a patient cancellation is an update the PMS confirms or rejects; errors are typed', async () => {
    await setUp();
    const id = book('09:00');
    await client.confirmInsert(GRANTED, id, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' });
    const requestId = sandbox.admin.cancelBooking('1001', id);
    expect(() => sandbox.admin.cancelBooking('1001', id)).toThrow(/is Cancelled: nothing to cancel/);
    expect(await client.getRequests(GRANTED)).toEqual(['bookingUpdates']);
    const other = book('09:15');
    await expect(client.confirmUpdate(GRANTED, other, requestId)).rejects.toMatchObject({ code: 'bad_request', reason: expect.stringContaining('another booking') });
    await expect(client.confirmUpdate(GRANTED, id, 999)).rejects.toMatchObject({ code: 'not_found' });
    await client.confirmUpdate(GRANTED, id, requestId);
    await expect(client.confirmUpdate(GRANTED, id, requestId)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('PMS cancel, didNotAttend and noPmsAppointmentChange follow the booking state', async () => {
    await setUp();
    const requested = book('09:00');
    await expect(client.cancelBooking(GRANTED, requested, {})).rejects.toMatchObject({ reason: expect.stringContaining('still Requested') });
    await expect(client.noPmsAppointmentChange(GRANTED, requested)).rejects.toMatchObject({ reason: expect.stringContaining('no pending pmsAppointmentChanges') });
    await client.confirmInsert(GRANTED, requested, { pmsAppointmentIds: ['A'], pmsPatientId: 'P' });
    await client.cancelBooking(GRANTED, requested, { reason: 'practice closed' });
    await expect(client.didNotAttend(GRANTED, requested, {})).rejects.toMatchObject({ reason: expect.stringContaining('already Cancelled') });
    expect(sandbox.admin.getBooking('1001', requested).answers.map((a) => a.action)).toEqual(['confirmInsert', 'cancel']);
  });
});
