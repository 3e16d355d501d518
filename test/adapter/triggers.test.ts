// Change capture: PMS edits -> the exact rows the adapter's triggers write to
// healthengine.change_event (with the outbox capture helpers installed; the
// WAL-message helpers carry the same events, test/adapter/capture-modes.test.ts).
// Each case runs in its own transaction (rolled back), reading the events its
// edit wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { TestDatabase } from '../support/pg.ts';
import { at, createAdapterDatabase, eventsSince, lastEventId, plusDays, sorted, SYDNEY, workingDate, type Ev } from './adapter-db.ts';

let db: TestDatabase;
let D: string; // Monday-Thursday, three weeks ahead: nothing seeded there
let D1: string;
let A: string; // reception appointment, Dr Walker (prac-7) at Bondi Junction (3), D 10:00-10:15
let H: string; // Healthengine appointment, same diary, D 11:00-11:15
let B: string; // a diary block, same diary, D 12:00-13:00
let leave6: { from: string; to: string };

beforeAll(async () => {
  db = await createAdapterDatabase('adapter_triggers');
  D = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-7', zone: SYDNEY, minDays: 21, weekdays: [1, 2, 3, 4] });
  D1 = plusDays(D, 1);
  const ins = `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, appointment_type_id, starts_at, duration_minutes, source, external_ref)
               VALUES (3, 7, 30, 1, $1, 15, $2, $3) RETURNING appointment_id::text AS id`;
  A = (await db.pool.query(ins, [at(D, '10:00'), 'reception', null])).rows[0].id;
  H = (await db.pool.query(ins, [at(D, '11:00'), 'healthengine', '900001'])).rows[0].id;
  B = (await db.pool.query(`INSERT INTO pms.diary_block (clinic_id, practitioner_id, starts_at, duration_minutes, reason) VALUES (3, 7, $1, 60, 'Meeting') RETURNING block_id::text AS id`, [at(D, '12:00')])).rows[0].id;
  const l = (await db.pool.query(`SELECT start_date::text AS f, end_date::text AS t FROM pms.leave WHERE practitioner_id = 6`)).rows[0];
  leave6 = { from: l.f, to: l.t };
});
afterAll(async () => db?.drop());

/** Runs setup, then the edit, in one transaction; returns the events the edit wrote; rolls back. */
async function capture(edit: string[], setup: string[] = [], origin = false): Promise<Ev[]> {
  const c: pg.PoolClient = await db.pool.connect();
  try {
    await c.query('BEGIN');
    for (const s of setup) await c.query(s);
    const mark = await lastEventId(c);
    for (const s of edit) await c.query(s);
    return await eventsSince(c, mark, { origin });
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
}

const avail = (from: string, to: string, calendar = 'prac-7', location = '3'): Ev => ({ kind: 'availability', location_id: location, calendar_id: calendar, at_from: from, at_to: to });
const local = (location: string, from: string, to: string, calendar?: string): Ev => ({ kind: 'availability', location_id: location, ...(calendar ? { calendar_id: calendar } : {}), local_from: from, local_to: to });
const weekday = (location: string, calendar: string, wd: number): Ev => ({ kind: 'availability', location_id: location, calendar_id: calendar, weekday: wd });
const config = (kind: string, location?: string, calendar?: string): Ev => ({ kind: 'config', config_kind: kind, ...(location ? { location_id: location } : {}), ...(calendar ? { calendar_id: calendar } : {}) });
const apptState = (id: string, s: string): Ev => ({ kind: 'appointment_state', appointment_id: id, appointment_state: s });
const resources = (location: string, calendar: string): Ev[] => [config('resources', location, calendar), config('appointment_types', location)];

/**
 * fold: appointments and blocks are captured row by row; such a case expects
 * `fold` events, compared after merging their ranges per (location,
 * calendar, day), which is what the planner makes of them.
 */
interface Case { name: string; setup?: () => string[]; edit: () => string[]; expect: () => Ev[]; ordered?: boolean; fold?: number }

/** Availability ranges merged per location, calendar and day (UTC+10, the adapter's change day). */
function foldRanges(evs: Ev[]): Ev[] {
  const groups = new Map<string, Ev>();
  for (const e of evs) {
    if (e.kind !== 'availability' || e.at_from === undefined) {
      groups.set(JSON.stringify(e), e);
      continue;
    }
    const day = new Date(Date.parse(String(e.at_from)) + 10 * 3600_000).toISOString().slice(0, 10);
    const k = `${e.location_id}|${e.calendar_id}|${day}`;
    const g = groups.get(k);
    if (!g) groups.set(k, { ...e });
    else {
      if (String(e.at_from) < String(g.at_from)) g.at_from = e.at_from!;
      if (String(e.at_to) > String(g.at_to)) g.at_to = e.at_to!;
    }
  }
  return [...groups.values()];
}

const appointmentCases: Case[] = [
  { name: 'insert a booked appointment: its time is taken', edit: () => [`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (3, 7, 30, '${at(D, '14:00')}', 30)`],
    expect: () => [avail(at(D, '14:00'), at(D, '14:30'))] },
  { name: 'insert an appointment already cancelled: nothing', edit: () => [`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, status) VALUES (3, 7, 30, '${at(D, '14:00')}', 30, 'cancelled')`],
    expect: () => [] },
  { name: 'update notes only: nothing', edit: () => [`UPDATE pms.appointment SET notes = 'bring referral', updated_at = now() WHERE appointment_id = ${A}`], expect: () => [] },
  { name: 'booked -> arrived -> completed: nothing (the time stays taken)', edit: () => [`UPDATE pms.appointment SET status = 'arrived' WHERE appointment_id = ${A}`, `UPDATE pms.appointment SET status = 'completed' WHERE appointment_id = ${A}`], expect: () => [] },
  { name: 'move within the day: the range left and the range taken', edit: () => [`UPDATE pms.appointment SET starts_at = '${at(D, '14:00')}' WHERE appointment_id = ${A}`],
    expect: () => [avail(at(D, '10:00'), at(D, '10:15')), avail(at(D, '14:00'), at(D, '14:15'))], ordered: true },
  { name: 'move to the next day: both days', edit: () => [`UPDATE pms.appointment SET starts_at = '${at(D1, '10:00')}' WHERE appointment_id = ${A}`],
    expect: () => [avail(at(D, '10:00'), at(D, '10:15')), avail(at(D1, '10:00'), at(D1, '10:15'))], ordered: true },
  { name: 'give it to another practitioner: both calendars', edit: () => [`UPDATE pms.appointment SET practitioner_id = 5 WHERE appointment_id = ${A}`],
    expect: () => [avail(at(D, '10:00'), at(D, '10:15')), avail(at(D, '10:00'), at(D, '10:15'), 'prac-5')], ordered: true },
  { name: 'lengthen it', edit: () => [`UPDATE pms.appointment SET duration_minutes = 30 WHERE appointment_id = ${A}`],
    expect: () => [avail(at(D, '10:00'), at(D, '10:15')), avail(at(D, '10:00'), at(D, '10:30'))], ordered: true },
  { name: 'cancel a reception appointment: its time is freed, no state event', edit: () => [`UPDATE pms.appointment SET status = 'cancelled', cancelled_at = now() WHERE appointment_id = ${A}`],
    expect: () => [avail(at(D, '10:00'), at(D, '10:15'))] },
  { name: 'cancel a Healthengine appointment: availability + appointment_state', edit: () => [`UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id = ${H}`],
    expect: () => [avail(at(D, '11:00'), at(D, '11:15')), apptState(H, 'cancelled')], ordered: true },
  { name: 'did-not-attend on a Healthengine appointment: appointment_state only (the time was used)', edit: () => [`UPDATE pms.appointment SET status = 'did_not_attend' WHERE appointment_id = ${H}`],
    expect: () => [apptState(H, 'did_not_attend')] },
  { name: 'did-not-attend on a reception appointment: nothing', edit: () => [`UPDATE pms.appointment SET status = 'did_not_attend' WHERE appointment_id = ${A}`], expect: () => [] },
  { name: 'delete a booked Healthengine appointment: freed + cancelled', edit: () => [`DELETE FROM pms.appointment WHERE appointment_id = ${H}`],
    expect: () => [avail(at(D, '11:00'), at(D, '11:15')), apptState(H, 'cancelled')], ordered: true },
  { name: 'delete a reception appointment: freed', edit: () => [`DELETE FROM pms.appointment WHERE appointment_id = ${A}`], expect: () => [avail(at(D, '10:00'), at(D, '10:15'))] },
  { name: 'reinstate a cancelled appointment: taken again', setup: () => [`UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id = ${A}`],
    edit: () => [`UPDATE pms.appointment SET status = 'booked' WHERE appointment_id = ${A}`], expect: () => [avail(at(D, '10:00'), at(D, '10:15'))] },
  { name: 'move a cancelled appointment: nothing', setup: () => [`UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id = ${A}`],
    edit: () => [`UPDATE pms.appointment SET starts_at = '${at(D1, '09:00')}' WHERE appointment_id = ${A}`], expect: () => [] },
  { name: 'one statement inserting three appointments over two days: one event per appointment',
    edit: () => [`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes)
                  VALUES (3, 7, 30, '${at(D, '15:00')}', 15), (3, 7, 31, '${at(D, '15:30')}', 15), (3, 7, 32, '${at(D1, '09:00')}', 15)`],
    expect: () => [avail(at(D, '15:00'), at(D, '15:15')), avail(at(D, '15:30'), at(D, '15:45')), avail(at(D1, '09:00'), at(D1, '09:15'))] },
  { name: 'one statement cancelling a practitioner\'s day: each freed range, state only for the Healthengine booking',
    edit: () => [`UPDATE pms.appointment SET status = 'cancelled' WHERE practitioner_id = 7 AND starts_at >= '${at(D, '00:00')}' AND starts_at < '${at(D1, '00:00')}'`],
    expect: () => [avail(at(D, '10:00'), at(D, '10:15')), avail(at(D, '11:00'), at(D, '11:15')), apptState(H, 'cancelled')] },
];

const bulk1000 = () => [`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, notes)
  SELECT 3, 7, 1 + g % 60, '${at(D, '08:30')}'::timestamptz + (g % 34) * interval '15 minutes', 15, 'bulk' FROM generate_series(0, 999) g`];

const bulkCases: Case[] = [
  { name: 'a bulk UPDATE moving 1,000 appointments of one practitioner-day: 2,000 events (left, taken), one diary-day', setup: bulk1000, fold: 2000,
    edit: () => [`UPDATE pms.appointment SET starts_at = starts_at + interval '5 minutes' WHERE notes = 'bulk'`],
    // old day 08:30-17:00, new day 08:35-17:05 (last start 16:50 + 15 min)
    expect: () => [avail(at(D, '08:30'), at(D, '17:05'))] },
  { name: 'a bulk UPDATE of the notes of 1,000 appointments: nothing', setup: bulk1000,
    edit: () => [`UPDATE pms.appointment SET notes = 'bulk, reviewed' WHERE notes = 'bulk'`], expect: () => [] },
  { name: 'a bulk UPDATE moving 1,000 appointments to the next day: 2,000 events, both days', setup: bulk1000, fold: 2000,
    edit: () => [`UPDATE pms.appointment SET starts_at = starts_at + interval '1 day' WHERE notes = 'bulk'`],
    expect: () => [avail(at(D, '08:30'), at(D, '17:00')), avail(at(D1, '08:30'), at(D1, '17:00'))] },
  { name: 'the bulk INSERT itself: 1,000 events, one diary-day', edit: bulk1000, fold: 1000, expect: () => [avail(at(D, '08:30'), at(D, '17:00'))] },
  { name: 'a bulk DELETE: 1,000 events, one diary-day', setup: bulk1000, fold: 1000, edit: () => [`DELETE FROM pms.appointment WHERE notes = 'bulk'`], expect: () => [avail(at(D, '08:30'), at(D, '17:00'))] },
];

const blockCases: Case[] = [
  { name: 'insert a block', edit: () => [`INSERT INTO pms.diary_block (clinic_id, practitioner_id, starts_at, duration_minutes) VALUES (3, 7, '${at(D, '15:00')}', 30)`],
    expect: () => [avail(at(D, '15:00'), at(D, '15:30'))] },
  { name: 'move a block to the next day', edit: () => [`UPDATE pms.diary_block SET starts_at = starts_at + interval '1 day' WHERE block_id = ${B}`],
    expect: () => [avail(at(D, '12:00'), at(D, '13:00')), avail(at(D1, '12:00'), at(D1, '13:00'))], ordered: true },
  { name: 'rename a block: nothing', edit: () => [`UPDATE pms.diary_block SET reason = 'Practice meeting' WHERE block_id = ${B}`], expect: () => [] },
  { name: 'delete a block', edit: () => [`DELETE FROM pms.diary_block WHERE block_id = ${B}`], expect: () => [avail(at(D, '12:00'), at(D, '13:00'))] },
  { name: 'a block on a room', edit: () => [`INSERT INTO pms.diary_block (clinic_id, room_id, starts_at, duration_minutes) VALUES (1, 1, '${at(D, '09:00', 'Australia/Perth')}', 60)`],
    expect: () => [avail(at(D, '09:00', 'Australia/Perth'), at(D, '10:00', 'Australia/Perth'), 'room-1', '1')] },
];

const diaryCases: Case[] = [
  { name: 'roster: a new Saturday shift', edit: () => [`INSERT INTO pms.roster (practitioner_id, clinic_id, weekday, start_time, end_time) VALUES (7, 3, 6, '09:00', '12:00')`],
    expect: () => [weekday('3', 'prac-7', 6)] },
  { name: 'roster: Monday shift moved to Saturday: both weekdays', edit: () => [`UPDATE pms.roster SET weekday = 6 WHERE practitioner_id = 7 AND weekday = 1`],
    expect: () => [weekday('3', 'prac-7', 1), weekday('3', 'prac-7', 6)] },
  { name: 'roster: a Tuesday shift given an end date', edit: () => [`UPDATE pms.roster SET effective_to = '${D1}' WHERE practitioner_id = 7 AND weekday = 2`],
    expect: () => [weekday('3', 'prac-7', 2)] },
  { name: 'roster: a no-op update: nothing', edit: () => [`UPDATE pms.roster SET start_time = start_time WHERE practitioner_id = 7`], expect: () => [] },
  { name: 'roster: Friday shift deleted', edit: () => [`DELETE FROM pms.roster WHERE practitioner_id = 7 AND weekday = 5`], expect: () => [weekday('3', 'prac-7', 5)] },
  { name: 'leave at every clinic of a practitioner working at two', edit: () => [`INSERT INTO pms.leave (practitioner_id, start_date, end_date) VALUES (5, '${D}', '${plusDays(D, 2)}')`],
    expect: () => [local('2', D, plusDays(D, 2), 'prac-5'), local('3', D, plusDays(D, 2), 'prac-5')] },
  { name: 'leave moved a day later: old and new dates', edit: () => [`UPDATE pms.leave SET start_date = start_date + 1, end_date = end_date + 1 WHERE practitioner_id = 6`],
    expect: () => [local('2', leave6.from, leave6.to, 'prac-6'), local('2', plusDays(leave6.from, 1), plusDays(leave6.to, 1), 'prac-6')] },
  { name: 'leave note edited: nothing', edit: () => [`UPDATE pms.leave SET note = 'Bali' WHERE practitioner_id = 6`], expect: () => [] },
  { name: 'a NSW public holiday: both Sydney clinics, whole location', edit: () => [`INSERT INTO pms.public_holiday (state, holiday_date, name) VALUES ('NSW', '${D}', 'Test Day')`],
    expect: () => [local('2', D, D), local('3', D, D)] },
  { name: 'a national public holiday: every clinic', edit: () => [`INSERT INTO pms.public_holiday (state, holiday_date, name) VALUES (NULL, '${D}', 'Test Day')`],
    expect: () => [local('1', D, D), local('2', D, D), local('3', D, D)] },
  { name: 'a public holiday renamed: nothing', edit: () => [`UPDATE pms.public_holiday SET name = upper(name) WHERE holiday_date = '2026-12-25'`], expect: () => [] },
  { name: 'a WA public holiday moved: old and new date in Perth', edit: () => [`UPDATE pms.public_holiday SET holiday_date = '2027-03-02' WHERE state = 'WA' AND holiday_date = '2027-03-01'`],
    expect: () => [local('1', '2027-03-01', '2027-03-01'), local('1', '2027-03-02', '2027-03-02')] },
  { name: 'a clinic closure', edit: () => [`INSERT INTO pms.clinic_closure (clinic_id, closed_from, closed_to, reason) VALUES (1, '${D}', '${D1}', 'Fit-out')`],
    expect: () => [local('1', D, D1)] },
];

const configCases: Case[] = [
  { name: 'opening hours of a clinic with a bookable room: liveness + the room\'s weekday',
    edit: () => [`UPDATE pms.clinic_hours SET closes = '19:00' WHERE clinic_id = 1 AND weekday = 1`], expect: () => [config('liveness', '1'), weekday('1', 'room-1', 1)] },
  { name: 'opening hours of a clinic without bookable rooms: liveness', edit: () => [`UPDATE pms.clinic_hours SET opens = '07:30' WHERE clinic_id = 2 AND weekday = 3`],
    expect: () => [config('liveness', '2')] },
  { name: 'a clinic renamed: resources, appointment types and liveness of that location',
    edit: () => [`UPDATE pms.clinic SET name = 'Bondi Junction Family Health' WHERE clinic_id = 3`],
    expect: () => [config('resources', '3'), config('appointment_types', '3'), config('liveness', '3')] },
  { name: 'a clinic phone number changed: nothing', edit: () => [`UPDATE pms.clinic SET phone = '(02) 5550 3499' WHERE clinic_id = 3`], expect: () => [] },
  { name: 'a practitioner renamed: resources + types at each of their clinics', edit: () => [`UPDATE pms.practitioner SET last_name = 'O''Brien-Kelly' WHERE practitioner_id = 5`],
    expect: () => [...resources('2', 'prac-5'), ...resources('3', 'prac-5')] },
  { name: 'a practitioner deactivated', edit: () => [`UPDATE pms.practitioner SET active = false WHERE practitioner_id = 8`], expect: () => resources('3', 'prac-8') },
  { name: 'a practitioner\'s e-mail changed: nothing', edit: () => [`UPDATE pms.practitioner SET email = 'x@example.com', updated_at = now() WHERE practitioner_id = 8`], expect: () => [] },
  { name: 'a second specialty', edit: () => [`INSERT INTO pms.practitioner_specialty VALUES (4, 2)`], expect: () => resources('2', 'prac-4') },
  { name: 'a practitioner starts at another clinic', edit: () => [`INSERT INTO pms.practitioner_clinic VALUES (7, 2)`], expect: () => resources('2', 'prac-7') },
  { name: 'a practitioner leaves a clinic', edit: () => [`DELETE FROM pms.practitioner_clinic WHERE practitioner_id = 5 AND clinic_id = 3`], expect: () => resources('3', 'prac-5') },
  { name: 'a specialty renamed: every practitioner holding it', edit: () => [`UPDATE pms.specialty SET name = 'Skin Cancer Checks' WHERE specialty_id = 2`], expect: () => resources('1', 'prac-1') },
  { name: 'a room made bookable', edit: () => [`UPDATE pms.room SET bookable = true WHERE room_id = 2`], expect: () => resources('2', 'room-2') },
  { name: 'a room that is not bookable renamed: nothing', edit: () => [`UPDATE pms.room SET name = 'Minor Procedures' WHERE room_id = 2`], expect: () => [] },
  { name: 'a practice-wide appointment type lengthened: types of every location', edit: () => [`UPDATE pms.appointment_type SET duration_minutes = 20 WHERE appointment_type_id = 1`],
    expect: () => [config('appointment_types')] },
  { name: 'a clinic\'s own appointment type renamed: that location', edit: () => [`UPDATE pms.appointment_type SET name = 'Travel Health' WHERE appointment_type_id = 14`],
    expect: () => [config('appointment_types', '2')] },
  { name: 'an offline appointment type renamed: nothing', edit: () => [`UPDATE pms.appointment_type SET name = 'Dressing' WHERE appointment_type_id = 10`], expect: () => [] },
  { name: 'an appointment type put online', edit: () => [`UPDATE pms.appointment_type SET online_bookable = true WHERE appointment_type_id = 10`], expect: () => [config('appointment_types')] },
  { name: 'a type offered by one more practitioner', edit: () => [`INSERT INTO pms.appointment_type_practitioner VALUES (5, 4)`], expect: () => [config('appointment_types', '2')] },
  { name: 'a type offered in a room', edit: () => [`INSERT INTO pms.appointment_type_room VALUES (11, 1)`], expect: () => [config('appointment_types', '1')] },
  { name: 'a patient edited: nothing', edit: () => [`UPDATE pms.patient SET email = 'new@example.com' WHERE patient_id = 1`], expect: () => [] },
];

function table(cases: Case[]) {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    let got = await capture(c.edit(), c.setup?.() ?? []);
    if (c.fold !== undefined) {
      expect(got).toHaveLength(c.fold);
      got = foldRanges(got);
    }
    if (c.ordered) expect(got).toEqual(c.expect());
    else expect(sorted(got)).toEqual(sorted(c.expect()));
  });
}

describe('appointments', () => table(appointmentCases));
describe('appointments in the past', () => {
  it('a move within the past is reported as it is (one message; the planner ignores dates before today)', async () => {
    const got = await capture([`UPDATE pms.appointment SET starts_at = starts_at + interval '1 hour'
                                WHERE appointment_id = (SELECT min(appointment_id) FROM pms.appointment WHERE starts_at < now() - interval '1 day' AND status <> 'cancelled')`]);
    expect(got).toHaveLength(2);
    expect(got.every((e) => e.kind === 'availability' && Date.parse(String(e.at_to)) < Date.now())).toBe(true);
    expect(Date.parse(String(got[1]!.at_from)) - Date.parse(String(got[0]!.at_from))).toBe(3_600_000);
  });

  it('deleting or cancelling appointments that ended before now writes nothing (a purge of history stays out of the WAL)', async () => {
    const past = `SELECT appointment_id FROM pms.appointment WHERE starts_at < now() - interval '1 day' AND status <> 'cancelled' ORDER BY appointment_id LIMIT 5`;
    expect(await capture([`UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id IN (${past})`])).toEqual([]);
    expect(await capture([`DELETE FROM pms.appointment WHERE appointment_id IN (${past}) AND source <> 'healthengine'`])).toEqual([]);
  });
});
describe('bulk statements', () => table(bulkCases));
describe('diary blocks', () => table(blockCases));
describe('rosters, leave, public holidays, closures', () => table(diaryCases));
describe('configuration', () => table(configCases));

describe('origin', () => {
  it('is pms for a PMS user\'s write, connector when the transaction set healthengine.origin', async () => {
    const ins = (time: string) => `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (3, 7, 30, '${at(D, time)}', 15)`;
    expect((await capture([ins('15:00')], [], true)).map((e) => e.origin)).toEqual(['pms']);
    expect((await capture([`SET LOCAL healthengine.origin = 'connector'`, ins('15:00'), `SELECT healthengine.pms_cancel_appointment('${H}', 'cancelled on Healthengine')`], [], true)))
      .toEqual([
        { ...avail(at(D, '15:00'), at(D, '15:15')), origin: 'connector' },
        { ...avail(at(D, '11:00'), at(D, '11:15')), origin: 'connector' },
        { ...apptState(H, 'cancelled'), origin: 'connector' },
      ]);
  });
});

describe('large statements', () => {
  it('a 20,000-row UPDATE after one- and two-row ones: every row captured, every Healthengine cancellation once', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, source, notes)
        SELECT 2, 4, 1 + g % 60, '${at(D, '08:00')}'::timestamptz + (g % 500) * interval '1 day' / 20, 15, 'healthengine', 'big' FROM generate_series(1, 20000) g`);
      await c.query(`UPDATE pms.appointment SET starts_at = starts_at + interval '1 minute' WHERE appointment_id = ${A}`);
      await c.query(`UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id IN (${A}, ${H})`);
      const mark = await lastEventId(c);
      await c.query(`UPDATE pms.appointment SET starts_at = starts_at + interval '5 minutes' WHERE notes = 'big'`);
      await c.query(`UPDATE pms.appointment SET status = 'cancelled' WHERE notes = 'big'`);
      const n = (await c.query(`SELECT count(*) FILTER (WHERE kind = 'appointment_state')::int AS states, count(*) FILTER (WHERE kind = 'availability')::int AS ranges
                                FROM healthengine.change_event WHERE event_id > $1`, [mark])).rows[0];
      expect(n.states).toBe(20_000); // every Healthengine appointment of the statement cancelled, once
      expect(n.ranges).toBe(60_000); // each row moved (the range left and the range taken), then each row freed
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  }, 60_000);
});
