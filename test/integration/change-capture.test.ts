// Change capture on a real PostgreSQL: debounce, the connector's own writes,
// stream takeover between instances, and a PostgreSQL restart mid-stream.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { Connector } from '../../src/connector.ts';
import { startEmbeddedServer } from '../../src/db/embedded-server.ts';
import { install } from '../../src/db/install.ts';
import { recordBooking } from '../../src/db/queries/bookings.ts';
import { insertLink } from '../../src/db/queries/practice-links.ts';
import { QUEUES } from '../../src/domain/jobs.ts';
import { demoAdapterSqlPath, installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { createHarness, TEST_API_KEY, testLogger, waitFor, type Harness } from '../support/connector-harness.ts';
import { spawnConnector, type ConnectorProcess } from '../support/connector-process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Snap = { date: string; pmsResourceId: string; availability: { start: string; end: string }[] };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ apiKey: TEST_API_KEY });
});
afterAll(async () => sandbox?.close());

function snapsAfter(practiceId: string, mark: number): Snap[] {
  return sandbox.admin.calls({ practiceId, method: 'POST', path: '/availability/snapshots' }).filter((c) => c.seq > mark).flatMap((c) => c.body as Snap[]);
}
const lastSeq = () => sandbox.admin.calls().at(-1)?.seq ?? 0;

/** A practitioner at location 2 and an upcoming working day with a free morning start. */
async function freeStart(h: Harness): Promise<{ practitionerId: number; calendarId: string; date: string; startsAt: string; time: string }> {
  const r = await h.db.pool.query(`
    SELECT replace(w.calendar_id, 'prac-', '')::int AS practitioner_id, w.calendar_id, d::date::text AS date,
           ((d::date + w.start_time) AT TIME ZONE 'Australia/Sydney')::text AS starts_at, to_char(w.start_time, 'HH24:MI') AS time
    FROM healthengine.pms_working_hours w, generate_series(current_date + 3, current_date + 12, interval '1 day') d
    WHERE w.location_id = '2' AND w.calendar_id LIKE 'prac-%' AND extract(dow FROM d) = w.weekday
      AND NOT EXISTS (SELECT 1 FROM healthengine.pms_busy b WHERE b.calendar_id = w.calendar_id
          AND b.starts_at < ((d::date + w.start_time) AT TIME ZONE 'Australia/Sydney') + interval '15 minutes' AND b.ends_at > ((d::date + w.start_time) AT TIME ZONE 'Australia/Sydney'))
      AND NOT EXISTS (SELECT 1 FROM healthengine.pms_calendar_exception e WHERE (e.calendar_id = w.calendar_id OR e.calendar_id IS NULL)
          AND (e.location_id = '2' OR e.location_id IS NULL) AND d::date BETWEEN e.local_from AND e.local_to)
    ORDER BY d, w.calendar_id LIMIT 1`);
  const x = r.rows[0];
  return { practitionerId: x.practitioner_id, calendarId: x.calendar_id, date: x.date, startsAt: x.starts_at, time: x.time };
}

describe('debounce and echo', () => {
  // long enough for a 1,000-transaction burst on a loaded 2-core machine
  const DEBOUNCE = 8;
  let h: Harness;
  const practiceId = '6001';
  beforeAll(async () => {
    sandbox.admin.addPractice({ practiceId, practiceKey: 'key-6001', consent: 'granted' });
    h = await createHarness('debounce', sandbox.url, { CONNECTOR_DEBOUNCE_SECONDS: DEBOUNCE, CONNECTOR_HORIZON_DAYS: 14 });
    await h.startConnector();
    await insertLink(h.db.pool, { practiceId, practiceKey: 'key-6001', locationIds: ['2'] });
    await waitFor('linked', () => Object.keys(sandbox.admin.getPractice(practiceId).availability).length > 0);
    await sleep(DEBOUNCE * 1000 + 500); // let the link's own follow-ups settle
  });
  afterAll(async () => h?.stop());

  it('a burst of 1,000 edits to one resource-day yields one push', async () => {
    const slot = await freeStart(h);
    const { rows: [appt] } = await h.db.pool.query(
      `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 10) RETURNING appointment_id`,
      [slot.practitionerId, slot.startsAt],
    );
    await waitFor('the insert pushed', () => snapsAfter(practiceId, 0).some((s) => s.date === slot.date), 30_000);
    await sleep(500);
    const mark = lastSeq();
    const c = await h.db.pool.connect();
    try {
      // 1,000 separate transactions, each changing the appointment's length on that day
      for (let i = 0; i < 1000; i++) await c.query(`UPDATE pms.appointment SET duration_minutes = $2 WHERE appointment_id = $1`, [appt.appointment_id, 10 + (i % 5)]);
    } finally {
      c.release();
    }
    await waitFor('the push', () => snapsAfter(practiceId, mark).length > 0, 30_000);
    await sleep(DEBOUNCE * 1000); // a second window would have produced a second push by now
    const calls = sandbox.admin.calls({ practiceId, method: 'POST', path: '/availability/snapshots' }).filter((x) => x.seq > mark);
    expect(calls).toHaveLength(1);
    const days = new Set((calls[0]!.body as Snap[]).map((s) => s.date));
    expect(days).toEqual(new Set([slot.date]));
  });

  it('a booking written by the connector is pushed as availability but never echoed back as a PMS change', async () => {
    const slot = await freeStart(h);
    const resourceId = (await h.db.pool.query(`SELECT resource_id FROM healthengine.pms_resource WHERE calendar_id = $1 AND location_id = '2' LIMIT 1`, [slot.calendarId])).rows[0].resource_id;
    const linkId = (await h.db.pool.query(`SELECT link_id FROM healthengine.practice_link`)).rows[0].link_id;
    const mark = lastSeq();
    const c = await h.db.pool.connect();
    let ids: string[];
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL healthengine.origin = 'connector'`);
      ids = (await c.query(`SELECT healthengine.pms_insert_booking($1, '1', (SELECT min(patient_id)::text FROM pms.patient), $2, 15, 'online', 777001) AS ids`, [resourceId, slot.startsAt])).rows[0].ids;
      await recordBooking(c, { heBookingId: 777001, linkId, pmsAppointmentIds: ids, pmsPatientId: null, state: 'confirmed' });
      await c.query('COMMIT');
      await c.query('BEGIN');
      await c.query(`SET LOCAL healthengine.origin = 'connector'`);
      await c.query(`SELECT healthengine.pms_cancel_appointment($1, 'patient cancelled on Healthengine')`, [ids[0]]);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    } finally {
      c.release();
    }
    await waitFor('availability pushed for the booked day', () => snapsAfter(practiceId, mark).some((s) => s.date === slot.date && s.pmsResourceId === resourceId), 30_000);
    await sleep(1500);
    const jobs = await h.db.pool.query(`SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1 AND data->>'appointmentId' = $2`, [QUEUES.appointmentOutbound, ids![0]]);
    expect(jobs.rows[0].n).toBe(0);
    expect(sandbox.admin.calls({ practiceId, path: /^\/bookings\// })).toEqual([]);
  });

  it('a Healthengine booking cancelled at reception is reported to Healthengine', async () => {
    const slot = await freeStart(h);
    const resourceId = (await h.db.pool.query(`SELECT resource_id FROM healthengine.pms_resource WHERE calendar_id = $1 AND location_id = '2' LIMIT 1`, [slot.calendarId])).rows[0].resource_id;
    const bookingId = sandbox.admin.book({ practiceId, pmsResourceId: resourceId, date: slot.date, time: slot.time, patient: { firstname: 'Test', lastname: 'Patient' } });
    const linkId = (await h.db.pool.query(`SELECT link_id FROM healthengine.practice_link`)).rows[0].link_id;
    const { rows: [appt] } = await h.db.pool.query(
      `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, source) VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 15, 'healthengine') RETURNING appointment_id::text`,
      [slot.practitionerId, slot.startsAt],
    );
    await recordBooking(h.db.pool, { heBookingId: bookingId, linkId, pmsAppointmentIds: [appt.appointment_id], pmsPatientId: null, state: 'confirmed' });
    await h.db.pool.query(`UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id = $1`, [appt.appointment_id]);
    await waitFor('cancel sent', () => sandbox.admin.calls({ practiceId, method: 'POST', path: `/bookings/${bookingId}/cancel` }).length === 1, 30_000);
  });

  it('a cancellation undone before its job runs is not sent: the job reads the PMS, not the change', async () => {
    const slot = await freeStart(h);
    // a wrongly sent cancel would show as a call, whatever the sandbox answers
    const bookingId = 990_001;
    const linkId = (await h.db.pool.query(`SELECT link_id FROM healthengine.practice_link`)).rows[0].link_id;
    const { rows: [appt] } = await h.db.pool.query(
      `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, source) VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 15, 'healthengine') RETURNING appointment_id::text`,
      [slot.practitionerId, slot.startsAt],
    );
    await recordBooking(h.db.pool, { heBookingId: bookingId, linkId, pmsAppointmentIds: [appt.appointment_id], pmsPatientId: null, state: 'confirmed' });
    // one transaction, so no job can run in between: the cancel is captured, then undone
    await h.db.pool.query(`BEGIN; UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id = ${Number(appt.appointment_id)};
      UPDATE pms.appointment SET status = 'booked' WHERE appointment_id = ${Number(appt.appointment_id)}; COMMIT`);
    await waitFor('the outbound job ran', async () => (await h.db.pool.query(
      `SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1 AND data->>'appointmentId' = $2 AND state = 'completed'`,
      [QUEUES.appointmentOutbound, appt.appointment_id],
    )).rows[0].n === 1, 30_000);
    expect(sandbox.admin.calls({ practiceId, path: new RegExp(`^/bookings/${bookingId}/`) })).toEqual([]);
  });
});

describe('stream ownership', () => {
  it('two instances: kill the owner, the other takes over within seconds and nothing is lost', async () => {
    const practiceId = '6101';
    sandbox.admin.addPractice({ practiceId, practiceKey: 'key-6101', consent: 'granted' });
    const h = await createHarness('takeover', sandbox.url, { CONNECTOR_DEBOUNCE_SECONDS: 0.2, CONNECTOR_HORIZON_DAYS: 14 });
    const procs: ConnectorProcess[] = [spawnConnector(h.config), spawnConnector(h.config)];
    try {
      await insertLink(h.db.pool, { practiceId, practiceKey: 'key-6101', locationIds: ['2'] });
      await waitFor('linked', () => Object.keys(sandbox.admin.getPractice(practiceId).availability).length > 0, 30_000);
      const owner = async () => (await h.db.pool.query(`SELECT owner FROM healthengine.stream_state WHERE slot_name = $1`, [h.config.CONNECTOR_SLOT_NAME])).rows[0]?.owner as string | undefined;
      const first = await waitFor('an owner', owner);
      const ownerProc = procs.find((p) => first.endsWith(`:${p.pid}`))!;
      const standby = procs.find((p) => p !== ownerProc)!;
      expect(ownerProc).toBeDefined();
      await ownerProc.kill('SIGKILL');
      // a change made while nobody streams
      const slot = await freeStart(h);
      const mark = lastSeq();
      await h.db.pool.query(`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 15)`, [slot.practitionerId, slot.startsAt]);
      const took = Date.now();
      await waitFor('the standby owns the stream', async () => (await owner())?.endsWith(`:${standby.pid}`), 15_000);
      expect(Date.now() - took).toBeLessThan(15_000);
      await waitFor('the change pushed', () => snapsAfter(practiceId, mark).some((s) => s.date === slot.date && !s.availability.some((r) => r.start <= slot.time && r.end > slot.time)), 30_000);
    } finally {
      for (const p of procs) await p.kill();
      await h.stop();
    }
  }, 90_000);
});

describe('PostgreSQL restart', () => {
  it('the connector reconnects and resumes from the slot', async () => {
    const practiceId = '6201';
    sandbox.admin.addPractice({ practiceId, practiceKey: 'key-6201', consent: 'granted' });
    const dataDir = mkdtempSync(join(tmpdir(), 'he-restart-pg-'));
    let server = await startEmbeddedServer({ dataDir, persistent: true });
    const port = server.port;
    const url = server.urlFor('postgres');
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => {});
    const config = loadConfig({}, { DATABASE_URL: url, HEALTHENGINE_BASE_URL: sandbox.url, HEALTHENGINE_API_KEY: TEST_API_KEY, CONNECTOR_DEBOUNCE_SECONDS: 0.2, CONNECTOR_HEARTBEAT_SECONDS: 1, CONNECTOR_HORIZON_DAYS: 14, VENDOR_NAME: 'Test PMS' });
    const connector = new Connector({ config, logger: testLogger() });
    try {
      await installDemoPms(pool, { seed: true });
      await install(pool, { adapterSqlPath: demoAdapterSqlPath(), slotName: config.CONNECTOR_SLOT_NAME, createSlot: true, jobSchema: config.CONNECTOR_JOB_SCHEMA });
      await connector.start();
      await insertLink(pool, { practiceId, practiceKey: 'key-6201', locationIds: ['2'] });
      await waitFor('linked', () => Object.keys(sandbox.admin.getPractice(practiceId).availability).length > 0, 30_000);
      await server.stop();
      await sleep(1000);
      server = await startEmbeddedServer({ dataDir, persistent: true, port });
      const slot = await freeStart({ db: { pool } } as unknown as Harness);
      const mark = lastSeq();
      await pool.query(`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 15)`, [slot.practitionerId, slot.startsAt]);
      await waitFor('the change pushed after the restart', () => snapsAfter(practiceId, mark).some((s) => s.date === slot.date && !s.availability.some((r) => r.start <= slot.time && r.end > slot.time)), 45_000);
    } finally {
      await connector.stop().catch(() => {});
      await pool.end().catch(() => {});
      await server.stop().catch(() => {});
    }
  }, 120_000);
});
