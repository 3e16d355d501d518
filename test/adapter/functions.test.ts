// The adapter's write side: pms_create_patient, pms_insert_booking,
// pms_cancel_appointment, pms_mark_did_not_attend, pms_appointment_state, and
// every SQLSTATE the connector branches on (HE001..HE006).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/pg.ts';
import { at, createAdapterDatabase, PERTH, sqlState, SYDNEY, workingDate } from './adapter-db.ts';

let db: TestDatabase;
let D: string; // a Monday-Thursday at least three weeks ahead on which Dr Walker (prac-7, Bondi Junction) works
let heId = 500_000;

const book = (resourceId: string, typeId: string, patientId: string, startsAt: string, length: number | null = null, q: Pick<pg.ClientBase, 'query'> = db.pool) =>
  q.query<{ ids: string[] }>(`SELECT healthengine.pms_insert_booking($1, $2, $3, $4, $5, 'booked online', $6) AS ids`, [resourceId, typeId, patientId, startsAt, length, ++heId]).then((r) => r.rows[0]!.ids);
const state = async (id: string) => (await db.pool.query(`SELECT healthengine.pms_appointment_state($1) AS s`, [id])).rows[0].s as string | null;

beforeAll(async () => {
  db = await createAdapterDatabase('adapter_functions');
  D = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-7', zone: SYDNEY, minDays: 21, weekdays: [1, 2, 3, 4] });
});
afterAll(async () => db?.drop());

describe('pms_create_patient', () => {
  it('creates a patient from contract keys and returns its id', async () => {
    const id = (await db.pool.query(`SELECT healthengine.pms_create_patient($1) AS id`, [{
      first_name: ' Amira ', last_name: 'Haddad', dob: '1988-03-14', phone: '0491 570 110', email: 'amira.h@example.com',
      address: '12 Bourke Street', suburb: 'Surry Hills', state: 'nsw', postcode: '2010', gender: 'Female',
      medicare_number: '2953 17386 1', medicare_irn: null,
    }])).rows[0].id as string;
    expect(id).toMatch(/^\d+$/);
    const p = (await db.pool.query(`SELECT * FROM healthengine.pms_patient WHERE patient_id = $1`, [id])).rows[0];
    expect(p).toMatchObject({
      first_name: 'Amira', last_name: 'Haddad', phone: '0491 570 110', email: 'amira.h@example.com', address: '12 Bourke Street',
      suburb: 'Surry Hills', state: 'NSW', postcode: '2010', gender: 'Female', medicare_number: '2953173861', medicare_irn: null,
    });
    const raw = (await db.pool.query(`SELECT mobile_phone, home_phone, dob::text FROM pms.patient WHERE patient_id = $1::bigint`, [id])).rows[0];
    expect(raw).toEqual({ mobile_phone: '0491 570 110', home_phone: null, dob: '1988-03-14' });
  });

  it('splits an 11-digit Medicare number into number and IRN; keeps landlines as home phone', async () => {
    const id = (await db.pool.query(`SELECT healthengine.pms_create_patient($1) AS id`, [{ first_name: 'Tom', last_name: 'Baker', phone: '(02) 5550 1111', medicare_number: '29531738612', gender: 'Male' }])).rows[0].id;
    expect((await db.pool.query(`SELECT medicare_number, medicare_irn, home_phone, mobile_phone FROM pms.patient WHERE patient_id = $1::bigint`, [id])).rows[0])
      .toEqual({ medicare_number: '2953173861', medicare_irn: 2, home_phone: '(02) 5550 1111', mobile_phone: null });
  });

  it('leaves out values the PMS would refuse rather than failing the booking', async () => {
    const id = (await db.pool.query(`SELECT healthengine.pms_create_patient($1) AS id`, [{ first_name: 'Zed', last_name: 'Quinn', state: 'Western Australia', postcode: '60089', medicare_number: '123', gender: 'Unknown' }])).rows[0].id;
    expect((await db.pool.query(`SELECT state, postcode, medicare_number, gender FROM pms.patient WHERE patient_id = $1::bigint`, [id])).rows[0])
      .toEqual({ state: null, postcode: null, medicare_number: null, gender: null });
  });

  it('needs a first and last name (22023)', async () => {
    expect(await sqlState(db.pool.query(`SELECT healthengine.pms_create_patient('{"first_name": "Solo"}')`))).toBe('22023');
  });
});

describe('pms_insert_booking', () => {
  it('books one appointment from Healthengine and returns its id', async () => {
    const ids = await book('prac-7:spec-1', '1:prac-7:spec-1', '30', at(D, '09:00'));
    expect(ids).toHaveLength(1);
    const a = (await db.pool.query(`SELECT clinic_id, practitioner_id, room_id, patient_id, appointment_type_id, starts_at, duration_minutes, status, source, external_ref, notes
      FROM pms.appointment WHERE appointment_id = $1::bigint`, [ids[0]])).rows[0];
    expect(a).toEqual({
      clinic_id: 3, practitioner_id: 7, room_id: null, patient_id: '30', appointment_type_id: 1,
      starts_at: new Date(at(D, '09:00')), duration_minutes: 15, status: 'booked', source: 'healthengine', external_ref: String(heId), notes: 'booked online',
    });
    expect(await state(ids[0]!)).toBe('booked');
  });

  it('uses the requested length, else the type\'s', async () => {
    const [a] = await book('prac-7:spec-1', '2:prac-7:spec-1', '31', at(D, '09:30'));
    const [b] = await book('prac-7:spec-1', '2:prac-7:spec-1', '31', at(D, '10:00'), 20);
    const r = await db.pool.query(`SELECT appointment_id::text AS id, duration_minutes FROM pms.appointment WHERE appointment_id IN ($1::bigint, $2::bigint) ORDER BY 1`, [a, b]);
    expect(Object.fromEntries(r.rows.map((x) => [x.id, x.duration_minutes]))).toEqual({ [a!]: 30, [b!]: 20 });
  });

  it('is idempotent per Healthengine booking id: a retry returns the same appointment', async () => {
    const first = (await db.pool.query(`SELECT healthengine.pms_insert_booking('prac-7:spec-1', '1:prac-7:spec-1', '32', $1, NULL, NULL, 424242) AS ids`, [at(D, '10:30')])).rows[0].ids;
    const again = (await db.pool.query(`SELECT healthengine.pms_insert_booking('prac-7:spec-1', '1:prac-7:spec-1', '32', $1, NULL, NULL, 424242) AS ids`, [at(D, '10:30')])).rows[0].ids;
    expect(again).toEqual(first);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM pms.appointment WHERE external_ref = '424242'`)).rows[0].n).toBe(1);
  });

  it('a type offered by every resource of the location is booked with its plain id', async () => {
    const d2 = await workingDate(db.pool, { locationId: '2', calendarId: 'prac-4', zone: SYDNEY, minDays: 21 });
    const ids = await book('prac-4:spec-1', '1', '40', at(d2, '14:00'));
    expect(await state(ids[0]!)).toBe('booked');
  });

  it('books a practitioner working at two clinics into the clinic whose roster covers the time', async () => {
    // Dr O'Brien: Surry Hills (2) on Mondays, Bondi Junction (3) on Thursdays
    const mon = await workingDate(db.pool, { locationId: '2', calendarId: 'prac-5', zone: SYDNEY, minDays: 21, weekdays: [1] });
    const thu = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-5', zone: SYDNEY, minDays: 21, weekdays: [4] });
    const [a] = await book('prac-5:spec-1', '2', '49', at(mon, '13:00'));
    const [b] = await book('prac-5:spec-1', '2:prac-5:spec-1', '49', at(thu, '13:00'));
    const r = await db.pool.query(`SELECT appointment_id::text AS id, clinic_id FROM pms.appointment WHERE appointment_id IN ($1::bigint, $2::bigint)`, [a, b]);
    expect(Object.fromEntries(r.rows.map((x) => [x.id, x.clinic_id]))).toEqual({ [a!]: 2, [b!]: 3 });
    // type '2' is Surry Hills' id for the consultation; on a Bondi Junction day it is not offered
    expect(await sqlState(book('prac-5:spec-1', '2', '49', at(thu, '14:00')))).toBe('HE006');
  });

  it('books a room', async () => {
    const d1 = await workingDate(db.pool, { locationId: '1', calendarId: 'room-1', zone: PERTH, minDays: 21, weekdays: [1, 2, 3, 4] });
    const ids = await book('room-1', '9:room-1', '5', at(d1, '10:00', PERTH));
    expect((await db.pool.query(`SELECT room_id, practitioner_id, duration_minutes FROM pms.appointment WHERE appointment_id = $1::bigint`, [ids[0]])).rows[0])
      .toEqual({ room_id: 1, practitioner_id: null, duration_minutes: 10 });
    expect(await sqlState(book('room-1', '1', '5', at(d1, '11:00', PERTH)))).toBe('HE003');
  });

  describe('HE001 slot taken', () => {
    it('the same slot, an overlapping one, but not an adjacent one', async () => {
      await book('prac-7:spec-1', '1:prac-7:spec-1', '33', at(D, '11:00'));
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '34', at(D, '11:00')))).toBe('HE001');
      expect(await sqlState(book('prac-7:spec-1', '2:prac-7:spec-1', '34', at(D, '10:50')))).toBe('HE001');
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '34', at(D, '11:15')))).toBeUndefined();
    });

    it('a diary block', async () => {
      await db.pool.query(`INSERT INTO pms.diary_block (clinic_id, practitioner_id, starts_at, duration_minutes, reason) VALUES (3, 7, $1, 60, 'Meeting')`, [at(D, '12:00')]);
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '35', at(D, '12:30')))).toBe('HE001');
    });

    it('busy time of the same practitioner at another clinic (one calendar)', async () => {
      const thu = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-5', zone: SYDNEY, minDays: 21, weekdays: [4] });
      // reception at Surry Hills overbooked Dr O'Brien on his Bondi Junction day
      await db.pool.query(`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (2, 5, 41, $1, 15)`, [at(thu, '10:00')]);
      expect(await sqlState(book('prac-5:spec-1', '1:prac-5:spec-1', '42', at(thu, '10:00')))).toBe('HE001');
      // both specialties of one practitioner share the calendar too
      const d1 = await workingDate(db.pool, { locationId: '1', calendarId: 'prac-1', zone: PERTH, minDays: 21 });
      await book('prac-1:spec-1', '1:prac-1:spec-1', '6', at(d1, '09:00', PERTH));
      expect(await sqlState(book('prac-1:spec-2', '3:prac-1:spec-2', '7', at(d1, '09:00', PERTH)))).toBe('HE001');
    });

    it('a cancelled appointment frees its slot', async () => {
      const [id] = await book('prac-7:spec-1', '1:prac-7:spec-1', '36', at(D, '14:00'));
      await db.pool.query(`SELECT healthengine.pms_cancel_appointment($1, 'patient rang')`, [id]);
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '37', at(D, '14:00')))).toBeUndefined();
    });
  });

  it('HE002 unknown resource: no such id, an inactive practitioner, a non-bookable room, a specialty the practitioner lacks', async () => {
    for (const r of ['nope', 'prac-9:spec-1', 'room-2', 'prac-7:spec-4', 'prac-7']) {
      expect(await sqlState(book(r, '1', '30', at(D, '15:00'))), r).toBe('HE002');
    }
  });

  it('HE003 unknown appointment type: no such id, offline, another resource\'s, another location\'s', async () => {
    for (const t of ['999', '10', '12', '5:prac-6:spec-1', '3:prac-1:spec-2', '1', '8:prac-8:spec-4']) {
      expect(await sqlState(book('prac-7:spec-1', t, '30', at(D, '15:00'))), t).toBe('HE003');
    }
  });

  it('HE004 unknown patient', async () => {
    for (const p of ['999999', 'abc', '']) {
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', p, at(D, '15:00'))), p).toBe('HE004');
    }
  });

  describe('HE006 outside working hours', () => {
    it('before the roster starts or running past its end', async () => {
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '30', at(D, '07:45')))).toBe('HE006');
      expect(await sqlState(book('prac-7:spec-1', '2:prac-7:spec-1', '30', at(D, '16:45')))).toBe('HE006');
      expect(await sqlState(book('prac-7:spec-1', '2:prac-7:spec-1', '30', at(D, '16:30')))).toBeUndefined();
    });

    it('in the lunch gap of a split shift, but not across two adjoining roster rows', async () => {
      const d1 = await workingDate(db.pool, { locationId: '1', calendarId: 'prac-1', zone: PERTH, minDays: 28 });
      expect(await sqlState(book('prac-1:spec-1', '1:prac-1:spec-1', '8', at(d1, '12:45', PERTH)))).toBe('HE006');
      const c = await db.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`INSERT INTO pms.roster (practitioner_id, clinic_id, weekday, start_time, end_time) VALUES (1, 1, extract(dow FROM $1::date), '12:30', '13:30')`, [d1]);
        expect(await sqlState(book('prac-1:spec-1', '2:prac-1:spec-1', '8', at(d1, '12:15', PERTH), null, c))).toBeUndefined();
      } finally {
        await c.query('ROLLBACK');
        c.release();
      }
    });

    it('on a day the practitioner does not work, before a dated roster starts', async () => {
      // Dr Nguyen works Saturdays from a date a week ahead: the Saturday before it is not a working day
      const before = (await db.pool.query(`SELECT d::date::text AS d FROM pms.roster r, generate_series(r.effective_from - 7, r.effective_from - 1, interval '1 day') d
        WHERE r.practitioner_id = 2 AND r.weekday = 6 AND extract(dow FROM d) = 6`)).rows[0].d as string;
      expect(await sqlState(book('prac-2:spec-1', '1:prac-2:spec-1', '9', at(before, '09:00', PERTH)))).toBe('HE006');
      const after = await workingDate(db.pool, { locationId: '1', calendarId: 'prac-2', zone: PERTH, minDays: 21, weekdays: [6] });
      expect(await sqlState(book('prac-2:spec-1', '1:prac-2:spec-1', '9', at(after, '09:00', PERTH)))).toBeUndefined();
    });

    it('on leave (whole days and part days)', async () => {
      const leave = (await db.pool.query(`SELECT d::date::text AS d FROM pms.leave l, generate_series(l.start_date, l.end_date, interval '1 day') d
        WHERE l.practitioner_id = 6 AND extract(dow FROM d) IN (3, 4, 5) ORDER BY d LIMIT 1`)).rows[0].d as string;
      expect(await sqlState(book('prac-6:spec-1', '1', '43', at(leave, '10:00')))).toBe('HE006');
      const c = await db.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`INSERT INTO pms.leave (practitioner_id, clinic_id, start_date, end_date, start_time, end_time) VALUES (7, NULL, $1, $1, '13:00', '17:00')`, [D]);
        // (a failed call aborts the transaction: the allowed booking goes first)
        expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '44', at(D, '08:45'), null, c))).toBeUndefined();
        expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '44', at(D, '15:30'), null, c))).toBe('HE006');
      } finally {
        await c.query('ROLLBACK');
        c.release();
      }
    });

    it('on a public holiday of the clinic\'s state, or in a clinic closure', async () => {
      const d = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-7', zone: SYDNEY, minDays: 50, weekdays: [1, 2, 3, 4, 5] });
      const c = await db.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`INSERT INTO pms.public_holiday (state, holiday_date, name) VALUES ('NSW', $1, 'Test Day')`, [d]);
        expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '45', at(d, '10:00'), null, c))).toBe('HE006');
        await c.query('ROLLBACK');
        await c.query('BEGIN');
        await c.query(`INSERT INTO pms.public_holiday (state, holiday_date, name) VALUES ('WA', $1, 'Test Day')`, [d]);
        await c.query(`INSERT INTO pms.clinic_closure (clinic_id, closed_from, closed_to, start_time, end_time) VALUES (3, $1, $1, '13:00', '17:30')`, [d]);
        expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '45', at(d, '10:00'), null, c))).toBeUndefined();
        expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '45', at(d, '14:00'), null, c))).toBe('HE006');
      } finally {
        await c.query('ROLLBACK');
        c.release();
      }
    });
  });

  it('rejects an unusable length (22023)', async () => {
    expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '30', at(D, '15:00'), 0))).toBe('22023');
  });

  it('refuses REPEATABLE READ, where its busy check could miss a concurrent booking (25000)', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      expect(await sqlState(book('prac-7:spec-1', '1:prac-7:spec-1', '30', at(D, '15:00'), null, c))).toBe('25000');
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });

  it('concurrent bookings of one slot: exactly one succeeds, the others get HE001', async () => {
    const slot = at(D, '15:30');
    const clients = await Promise.all([1, 2, 3, 4].map(async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      return c;
    }));
    try {
      const results = await Promise.allSettled(clients.map(async (c, i) => {
        await c.query('BEGIN');
        try {
          const ids = await book('prac-7:spec-1', '1:prac-7:spec-1', String(50 + i), slot, null, c);
          await new Promise((r) => setTimeout(r, 150)); // hold the slot while the others queue on the calendar lock
          await c.query('COMMIT');
          return ids;
        } catch (err) {
          await c.query('ROLLBACK');
          throw err;
        }
      }));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['HE001', 'HE001', 'HE001']);
      const n = (await db.pool.query(`SELECT count(*)::int AS n FROM pms.appointment WHERE practitioner_id = 7 AND starts_at = $1 AND status <> 'cancelled'`, [slot])).rows[0].n;
      expect(n).toBe(1);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

describe('cancel, did-not-attend and state', () => {
  it('cancels a booked appointment once; cancelling again changes nothing', async () => {
    const [id] = await book('prac-7:spec-1', '1:prac-7:spec-1', '46', at(D, '16:00'));
    await db.pool.query(`SELECT healthengine.pms_cancel_appointment($1, 'patient cancelled on Healthengine')`, [id]);
    const a = (await db.pool.query(`SELECT status, cancel_reason, cancelled_at IS NOT NULL AS stamped FROM pms.appointment WHERE appointment_id = $1::bigint`, [id])).rows[0];
    expect(a).toEqual({ status: 'cancelled', cancel_reason: 'patient cancelled on Healthengine', stamped: true });
    await db.pool.query(`SELECT healthengine.pms_cancel_appointment($1, 'again')`, [id]);
    expect((await db.pool.query(`SELECT cancel_reason FROM pms.appointment WHERE appointment_id = $1::bigint`, [id])).rows[0].cancel_reason).toBe('patient cancelled on Healthengine');
    expect(await state(id!)).toBe('cancelled');
  });

  it('marks did-not-attend; a completed appointment is left alone', async () => {
    const [id] = await book('prac-7:spec-1', '1:prac-7:spec-1', '47', at(D, '16:15'));
    await db.pool.query(`SELECT healthengine.pms_mark_did_not_attend($1)`, [id]);
    expect(await state(id!)).toBe('did_not_attend');
    const done = (await db.pool.query(`SELECT appointment_id::text AS id FROM pms.appointment WHERE status = 'completed' LIMIT 1`)).rows[0].id as string;
    await db.pool.query(`SELECT healthengine.pms_cancel_appointment($1, NULL)`, [done]);
    await db.pool.query(`SELECT healthengine.pms_mark_did_not_attend($1)`, [done]);
    expect(await state(done)).toBe('completed');
  });

  it('HE005 unknown appointment; pms_appointment_state answers NULL', async () => {
    for (const id of ['99999999', 'x', '']) {
      expect(await sqlState(db.pool.query(`SELECT healthengine.pms_cancel_appointment($1, NULL)`, [id])), id).toBe('HE005');
      expect(await sqlState(db.pool.query(`SELECT healthengine.pms_mark_did_not_attend($1)`, [id])), id).toBe('HE005');
      expect(await state(id)).toBeNull();
    }
  });

  it('reports every PMS status as it is', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      const [id] = await book('prac-7:spec-1', '1:prac-7:spec-1', '48', at(D, '13:30'), null, c);
      for (const s of ['arrived', 'completed', 'did_not_attend', 'cancelled', 'booked']) {
        await c.query(`UPDATE pms.appointment SET status = $2 WHERE appointment_id = $1::bigint`, [id, s]);
        expect((await c.query(`SELECT healthengine.pms_appointment_state($1) AS s`, [id])).rows[0].s).toBe(s);
      }
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });
});
