// The adapter's read side on the demo seed: every contract view, its columns
// and types, and the shapes the connector relies on (two specialties = two
// resources sharing one calendar, per-resource appointment types, unique ids
// and names per location, time zones, exceptions, busy time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/pg.ts';
import { createAdapterDatabase } from './adapter-db.ts';

let db: TestDatabase;
const rows = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => (await db.pool.query(sql, params)).rows as T[];

beforeAll(async () => {
  db = await createAdapterDatabase('adapter_views');
});
afterAll(async () => db?.drop());

describe('contract columns', () => {
  const contract: Record<string, [string, string][]> = {
    pms_location: [['location_id', 'text'], ['name', 'text'], ['time_zone', 'text']],
    pms_location_hours: [['location_id', 'text'], ['weekday', 'smallint'], ['opens', 'time without time zone'], ['closes', 'time without time zone']],
    pms_public_holiday: [['location_id', 'text'], ['local_date', 'date'], ['name', 'text']],
    pms_resource: [['resource_id', 'text'], ['location_id', 'text'], ['calendar_id', 'text'], ['resource_name', 'text'], ['kind', 'text'],
      ['title', 'text'], ['first_name', 'text'], ['last_name', 'text'], ['specialty', 'text'], ['slot_minutes', 'integer']],
    pms_appointment_type: [['appointment_type_id', 'text'], ['location_id', 'text'], ['resource_id', 'text'], ['name', 'text'], ['length_minutes', 'integer']],
    pms_working_hours: [['location_id', 'text'], ['calendar_id', 'text'], ['weekday', 'smallint'], ['start_time', 'time without time zone'],
      ['end_time', 'time without time zone'], ['effective_from', 'date'], ['effective_to', 'date']],
    pms_calendar_exception: [['location_id', 'text'], ['calendar_id', 'text'], ['local_from', 'date'], ['local_to', 'date'],
      ['start_time', 'time without time zone'], ['end_time', 'time without time zone'], ['kind', 'text']],
    pms_busy: [['location_id', 'text'], ['calendar_id', 'text'], ['starts_at', 'timestamp with time zone'], ['ends_at', 'timestamp with time zone'], ['appointment_id', 'text']],
    pms_patient: [['patient_id', 'text'], ['first_name', 'text'], ['last_name', 'text'], ['dob', 'date'], ['phone', 'text'], ['email', 'text'],
      ['address', 'text'], ['suburb', 'text'], ['state', 'text'], ['postcode', 'text'], ['gender', 'text'], ['medicare_number', 'text'],
      ['medicare_irn', 'text'], ['updated_at', 'timestamp with time zone']],
  };
  it.each(Object.entries(contract))('%s has exactly the contract columns and types', async (view, cols) => {
    const r = await rows<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'healthengine' AND table_name = $1 ORDER BY ordinal_position`,
      [view],
    );
    expect(r.map((c) => [c.column_name, c.data_type])).toEqual(cols);
  });

  it('the write functions have the contract signatures', async () => {
    const r = await rows<{ sig: string }>(
      `SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || pg_get_function_result(p.oid) AS sig
       FROM pg_proc p WHERE p.pronamespace = 'healthengine'::regnamespace AND p.proname LIKE 'pms\\_%' ORDER BY 1`,
    );
    expect(r.map((x) => x.sig)).toEqual([
      'pms_appointment_state(p_appointment_id text) text',
      'pms_cancel_appointment(p_appointment_id text, p_reason text) void',
      'pms_create_patient(p jsonb) text',
      'pms_insert_booking(p_resource_id text, p_appointment_type_id text, p_patient_id text, p_starts_at timestamp with time zone, p_length_minutes integer, p_notes text, p_he_booking_id bigint) text[]',
      'pms_mark_did_not_attend(p_appointment_id text) void',
    ]);
  });
});

describe('locations', () => {
  it('three clinics with their IANA time zones, in Perth and Sydney', async () => {
    expect(await rows(`SELECT * FROM healthengine.pms_location ORDER BY location_id`)).toEqual([
      { location_id: '1', name: 'Subiaco Family Medical', time_zone: 'Australia/Perth' },
      { location_id: '2', name: 'Surry Hills Medical Centre', time_zone: 'Australia/Sydney' },
      { location_id: '3', name: 'Bondi Junction Health', time_zone: 'Australia/Sydney' },
    ]);
  });

  it('opening hours per weekday (0 = Sunday), Saturday mornings at two clinics', async () => {
    const r = await rows<{ location_id: string; weekday: number; opens: string; closes: string }>(
      `SELECT location_id, weekday, opens::text, closes::text FROM healthengine.pms_location_hours ORDER BY 1, 2`,
    );
    expect(r.filter((x) => x.location_id === '1').map((x) => x.weekday)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.filter((x) => x.location_id === '3').map((x) => x.weekday)).toEqual([1, 2, 3, 4, 5]);
    expect(r.find((x) => x.location_id === '2' && x.weekday === 6)).toEqual({ location_id: '2', weekday: 6, opens: '09:00:00', closes: '13:00:00' });
  });

  it('public holidays follow each clinic\'s state', async () => {
    const r = await rows<{ location_id: string; name: string }>(
      `SELECT location_id, name FROM healthengine.pms_public_holiday WHERE local_date = '2027-03-01' OR local_date = '2027-03-27' ORDER BY 1, 2`,
    );
    // WA Labour Day only in Perth, NSW Easter Saturday only in Sydney
    expect(r).toEqual([
      { location_id: '1', name: 'Labour Day' },
      { location_id: '2', name: 'Easter Saturday' },
      { location_id: '3', name: 'Easter Saturday' },
    ]);
    const xmas = await rows(`SELECT location_id FROM healthengine.pms_public_holiday WHERE local_date = '2026-12-25' ORDER BY 1`);
    expect(xmas).toEqual([{ location_id: '1' }, { location_id: '2' }, { location_id: '3' }]);
  });
});

describe('resources', () => {
  it('a practitioner with two specialties is two resources sharing one calendar', async () => {
    expect(await rows(`SELECT resource_id, calendar_id, resource_name, specialty FROM healthengine.pms_resource WHERE calendar_id = 'prac-1' ORDER BY 1`)).toEqual([
      { resource_id: 'prac-1:spec-1', calendar_id: 'prac-1', resource_name: 'Dr Sarah Mitchell (General Practice)', specialty: 'General Practice' },
      { resource_id: 'prac-1:spec-2', calendar_id: 'prac-1', resource_name: 'Dr Sarah Mitchell (Skin Checks)', specialty: 'Skin Checks' },
    ]);
  });

  it('a practitioner at two clinics is the same resource at each, with one calendar', async () => {
    expect(await rows(`SELECT location_id, resource_id, calendar_id FROM healthengine.pms_resource WHERE calendar_id = 'prac-5' ORDER BY 1`)).toEqual([
      { location_id: '2', resource_id: 'prac-5:spec-1', calendar_id: 'prac-5' },
      { location_id: '3', resource_id: 'prac-5:spec-1', calendar_id: 'prac-5' },
    ]);
  });

  it('lists active bookable practitioners and rooms only, with title, names and slot length', async () => {
    const r = await rows<Record<string, unknown>>(`SELECT * FROM healthengine.pms_resource ORDER BY location_id, resource_id`);
    expect(r.map((x) => `${x.location_id} ${x.resource_id}`)).toEqual([
      '1 prac-1:spec-1', '1 prac-1:spec-2', '1 prac-2:spec-1', '1 prac-3:spec-3', '1 room-1',
      '2 prac-4:spec-1', '2 prac-5:spec-1', '2 prac-6:spec-1',
      '3 prac-5:spec-1', '3 prac-7:spec-1', '3 prac-8:spec-4',
    ]);
    expect(r.find((x) => x.resource_id === 'room-1')).toEqual({
      resource_id: 'room-1', location_id: '1', calendar_id: 'room-1', resource_name: 'Nurse Treatment Room', kind: 'room',
      title: null, first_name: null, last_name: null, specialty: null, slot_minutes: 10,
    });
    expect(r.find((x) => x.resource_id === 'prac-8:spec-4')).toMatchObject({ kind: 'practitioner', title: 'Mr', first_name: 'Daniel', last_name: 'Rossi', slot_minutes: 60 });
  });

  it('ids and names are unique within a location', async () => {
    const dup = await rows(`SELECT location_id FROM healthengine.pms_resource GROUP BY location_id HAVING count(*) <> count(DISTINCT resource_id) OR count(*) <> count(DISTINCT resource_name)`);
    expect(dup).toEqual([]);
  });

  it('two practitioners with the same name and specialty at one clinic still get unique names', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`INSERT INTO pms.practitioner (practitioner_id, title, first_name, last_name) VALUES (90, 'Dr', 'James', 'Nguyen')`);
      await c.query(`INSERT INTO pms.practitioner_specialty VALUES (90, 1)`);
      await c.query(`INSERT INTO pms.practitioner_clinic VALUES (90, 1)`);
      const r = await c.query(`SELECT resource_name FROM healthengine.pms_resource WHERE location_id = '1' AND resource_name LIKE 'Dr James Nguyen%' ORDER BY 1`);
      expect(r.rows.map((x) => x.resource_name)).toEqual(['Dr James Nguyen (General Practice) [prac-2]', 'Dr James Nguyen (General Practice) [prac-90]']);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });
});

describe('appointment types', () => {
  it('online types only; a type offered by every resource of a location is one row without resource', async () => {
    const r = await rows<{ appointment_type_id: string; resource_id: string | null; name: string; length_minutes: number | null }>(
      `SELECT appointment_type_id, resource_id, name, length_minutes FROM healthengine.pms_appointment_type WHERE location_id = '2' ORDER BY 1`,
    );
    expect(r).toEqual([
      { appointment_type_id: '1', resource_id: null, name: 'Standard Consultation', length_minutes: 15 },
      { appointment_type_id: '11', resource_id: null, name: 'Telehealth Consultation', length_minutes: 15 },
      { appointment_type_id: '14', resource_id: null, name: 'Travel Vaccination Consult', length_minutes: 30 },
      { appointment_type_id: '2', resource_id: null, name: 'Long Consultation', length_minutes: 30 },
      { appointment_type_id: '5:prac-6:spec-1', resource_id: 'prac-6:spec-1', name: "Women's Health Check", length_minutes: 30 },
    ]);
  });

  it('a type restricted to one practitioner expands to every resource of that practitioner', async () => {
    expect(await rows(`SELECT appointment_type_id, resource_id, name FROM healthengine.pms_appointment_type WHERE appointment_type_id LIKE '4:%' ORDER BY 1`)).toEqual([
      { appointment_type_id: '4:prac-1:spec-1', resource_id: 'prac-1:spec-1', name: 'Skin Cancer Excision - Dr Sarah Mitchell (General Practice)' },
      { appointment_type_id: '4:prac-1:spec-2', resource_id: 'prac-1:spec-2', name: 'Skin Cancer Excision - Dr Sarah Mitchell (Skin Checks)' },
    ]);
  });

  it('specialty types go to resources of that specialty; rooms take only their own types', async () => {
    const r = await rows<{ appointment_type_id: string }>(`SELECT appointment_type_id FROM healthengine.pms_appointment_type WHERE location_id = '1' ORDER BY 1`);
    expect(r.map((x) => x.appointment_type_id)).toEqual([
      '11:prac-1:spec-1', '11:prac-1:spec-2', '11:prac-2:spec-1', '11:prac-3:spec-3',
      '1:prac-1:spec-1', '1:prac-2:spec-1', '2:prac-1:spec-1', '2:prac-2:spec-1',
      '3:prac-1:spec-2', '4:prac-1:spec-1', '4:prac-1:spec-2', '6:prac-3:spec-3', '7:prac-3:spec-3', '9:room-1',
    ]);
    // the psychologist at Bondi Junction does not offer GP consultations
    const bj = await rows<{ appointment_type_id: string }>(`SELECT appointment_type_id FROM healthengine.pms_appointment_type WHERE location_id = '3' ORDER BY 1`);
    expect(bj.map((x) => x.appointment_type_id)).toEqual(['11', '1:prac-5:spec-1', '1:prac-7:spec-1', '2:prac-5:spec-1', '2:prac-7:spec-1', '8:prac-8:spec-4']);
  });

  it('ids and names are unique within a location, and every resource named exists there', async () => {
    expect(await rows(`SELECT location_id FROM healthengine.pms_appointment_type GROUP BY location_id HAVING count(*) <> count(DISTINCT appointment_type_id) OR count(*) <> count(DISTINCT name)`)).toEqual([]);
    expect(await rows(`SELECT t.* FROM healthengine.pms_appointment_type t WHERE t.resource_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM healthengine.pms_resource r WHERE r.resource_id = t.resource_id AND r.location_id = t.location_id)`)).toEqual([]);
  });

  it('a type without a default length is reported with length NULL', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`UPDATE pms.appointment_type SET duration_minutes = NULL WHERE appointment_type_id = 14`);
      const r = await c.query(`SELECT length_minutes FROM healthengine.pms_appointment_type WHERE appointment_type_id = '14'`);
      expect(r.rows).toEqual([{ length_minutes: null }]);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });
});

describe('working hours and exceptions', () => {
  it('split shifts, dated rosters, rooms open with their clinic, retired practitioners absent', async () => {
    const r = await rows<Record<string, unknown>>(`SELECT location_id, calendar_id, weekday, start_time::text AS s, end_time::text AS e,
      effective_from::text AS ef, effective_to::text AS et FROM healthengine.pms_working_hours ORDER BY 1, 2, 3, 4`);
    expect(r.filter((x) => x.calendar_id === 'prac-1' && x.weekday === 1)).toEqual([
      { location_id: '1', calendar_id: 'prac-1', weekday: 1, s: '08:30:00', e: '12:30:00', ef: null, et: null },
      { location_id: '1', calendar_id: 'prac-1', weekday: 1, s: '13:30:00', e: '17:00:00', ef: null, et: null },
    ]);
    const sat = r.find((x) => x.calendar_id === 'prac-2' && x.weekday === 6)!;
    expect(sat.ef).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.filter((x) => x.calendar_id === 'room-1').map((x) => [x.weekday, x.s, x.e])).toEqual([
      [1, '08:00:00', '18:00:00'], [2, '08:00:00', '18:00:00'], [3, '08:00:00', '18:00:00'], [4, '08:00:00', '18:00:00'], [5, '08:00:00', '18:00:00'], [6, '08:30:00', '12:30:00'],
    ]);
    expect(new Set(r.filter((x) => x.calendar_id === 'prac-5').map((x) => x.location_id))).toEqual(new Set(['2', '3']));
    expect(r.some((x) => x.calendar_id === 'prac-9')).toBe(false);
  });

  it('leave (whole days and part days), public holidays for the whole location and closures', async () => {
    const leave = await rows<Record<string, unknown>>(`SELECT location_id, calendar_id, local_to - local_from AS days, start_time::text AS s, end_time::text AS e, kind
      FROM healthengine.pms_calendar_exception WHERE kind = 'leave' ORDER BY 2`);
    expect(leave).toEqual([
      { location_id: '2', calendar_id: 'prac-6', days: 6, s: null, e: null, kind: 'leave' },
      { location_id: '3', calendar_id: 'prac-7', days: 0, s: '13:00:00', e: '17:00:00', kind: 'leave' },
    ]);
    expect(await rows(`SELECT location_id, calendar_id, start_time, kind FROM healthengine.pms_calendar_exception WHERE local_from = '2026-12-25' ORDER BY 1`)).toEqual([
      { location_id: '1', calendar_id: null, start_time: null, kind: 'public_holiday' },
      { location_id: '2', calendar_id: null, start_time: null, kind: 'public_holiday' },
      { location_id: '3', calendar_id: null, start_time: null, kind: 'public_holiday' },
    ]);
    expect(await rows(`SELECT location_id, calendar_id, start_time::text AS s, end_time::text AS e FROM healthengine.pms_calendar_exception WHERE kind = 'block'`)).toEqual([
      { location_id: '3', calendar_id: null, s: '13:00:00', e: '17:30:00' },
    ]);
  });
});

describe('busy time', () => {
  it('every appointment that holds time (all but cancelled) and every block, per calendar', async () => {
    const [counts] = await rows<{ busy: number; appts: number; blocks: number; cancelled_in_busy: number }>(`SELECT
      (SELECT count(*)::int FROM healthengine.pms_busy) AS busy,
      (SELECT count(*)::int FROM pms.appointment WHERE status <> 'cancelled') AS appts,
      (SELECT count(*)::int FROM pms.diary_block) AS blocks,
      (SELECT count(*)::int FROM healthengine.pms_busy b JOIN pms.appointment a ON a.appointment_id::text = b.appointment_id WHERE a.status = 'cancelled') AS cancelled_in_busy`);
    expect(counts!.busy).toBe(counts!.appts + counts!.blocks);
    expect(counts!.cancelled_in_busy).toBe(0);
    const block = await rows(`SELECT calendar_id, extract(epoch FROM ends_at - starts_at)::int AS secs FROM healthengine.pms_busy WHERE appointment_id IS NULL AND calendar_id = 'room-1' LIMIT 1`);
    expect(block).toEqual([{ calendar_id: 'room-1', secs: 3600 }]);
  });

  it('a filter on one calendar can read through the practitioner index, not every appointment', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      // the seed is small enough for a sequential scan to win: ask whether the index path exists at all
      await c.query('SET LOCAL enable_seqscan = off');
      const plan = (await c.query(`EXPLAIN (FORMAT JSON) SELECT * FROM healthengine.pms_busy WHERE calendar_id = 'prac-5' AND starts_at < now() + interval '7 days' AND ends_at > now()`)).rows[0]['QUERY PLAN'];
      expect(JSON.stringify(plan)).toContain('appointment_practitioner_start');
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });
});

describe('patients', () => {
  it('60 fictional patients mapped to the contract (gender words, one phone, Medicare)', async () => {
    expect((await rows(`SELECT count(*)::int AS n FROM healthengine.pms_patient`))[0]).toEqual({ n: 60 });
    expect(await rows(`SELECT patient_id, first_name, last_name, dob::text, phone, gender, medicare_number, medicare_irn FROM healthengine.pms_patient WHERE patient_id IN ('57', '58') ORDER BY 1`)).toEqual([
      { patient_id: '57', first_name: 'Liam', last_name: 'Hughes', dob: '2016-02-11', phone: '(02) 5550 6120', gender: 'Male', medicare_number: '4072815613', medicare_irn: '3' },
      { patient_id: '58', first_name: 'Noah', last_name: 'Hughes', dob: '2016-02-11', phone: '(02) 5550 6120', gender: 'Male', medicare_number: '4072815613', medicare_irn: '4' },
    ]);
    const genders = await rows<{ gender: string | null }>(`SELECT DISTINCT gender FROM healthengine.pms_patient ORDER BY 1`);
    expect(genders.map((g) => g.gender)).toEqual(['Female', 'Male', 'Other']);
  });

  it('every Medicare number carries a valid check digit', async () => {
    const bad = await rows(`SELECT patient_id FROM healthengine.pms_patient WHERE medicare_number IS NOT NULL AND
      (SELECT sum(substr(medicare_number, k, 1)::int * (ARRAY[1,3,7,9,1,3,7,9])[k]) FROM generate_series(1, 8) k) % 10 <> substr(medicare_number, 9, 1)::int`);
    expect(bad).toEqual([]);
  });
});

describe('seed', () => {
  it('~300 appointments over the next two weeks, mostly not from Healthengine, with every status', async () => {
    const [r] = await rows<{ upcoming: number; he: number; total: number }>(`SELECT
      count(*) FILTER (WHERE starts_at >= now() AND starts_at < now() + interval '14 days')::int AS upcoming,
      count(*) FILTER (WHERE source = 'healthengine')::int AS he, count(*)::int AS total FROM pms.appointment`);
    expect(r!.upcoming).toBeGreaterThan(220);
    expect(r!.upcoming).toBeLessThan(380);
    expect(r!.he).toBeGreaterThan(0);
    expect(r!.he).toBeLessThan(r!.total / 8);
    const statuses = await rows<{ status: string }>(`SELECT DISTINCT status FROM pms.appointment ORDER BY 1`);
    expect(statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['booked', 'cancelled', 'completed', 'did_not_attend']));
  });

  it('never double-books a diary and never books into leave, holidays, closures or blocks', async () => {
    const overlaps = await rows(`SELECT a.appointment_id FROM pms.appointment a JOIN pms.appointment b
      ON a.appointment_id < b.appointment_id AND a.status <> 'cancelled' AND b.status <> 'cancelled'
     AND a.practitioner_id IS NOT DISTINCT FROM b.practitioner_id AND a.room_id IS NOT DISTINCT FROM b.room_id
     AND a.starts_at < b.starts_at + b.duration_minutes * interval '1 minute' AND b.starts_at < a.starts_at + a.duration_minutes * interval '1 minute'`);
    expect(overlaps).toEqual([]);
    const blocked = await rows(`SELECT b.appointment_id FROM healthengine.pms_busy b JOIN healthengine.pms_busy k
      ON k.calendar_id = b.calendar_id AND k.appointment_id IS NULL AND b.appointment_id IS NOT NULL
     AND b.starts_at < k.ends_at AND k.starts_at < b.ends_at`);
    expect(blocked).toEqual([]);
    const onLeave = await rows(`SELECT a.appointment_id FROM pms.appointment a JOIN pms.clinic c USING (clinic_id)
      JOIN healthengine.pms_calendar_exception e ON e.location_id = a.clinic_id::text
       AND (e.calendar_id IS NULL OR e.calendar_id = healthengine.adapter_calendar_id(a.practitioner_id, a.room_id))
       AND (a.starts_at AT TIME ZONE c.time_zone)::date BETWEEN e.local_from AND e.local_to
       AND (e.start_time IS NULL OR ((a.starts_at AT TIME ZONE c.time_zone)::time < e.end_time
            AND ((a.starts_at + a.duration_minutes * interval '1 minute') AT TIME ZONE c.time_zone)::time > e.start_time))`);
    expect(onLeave).toEqual([]);
  });
});
