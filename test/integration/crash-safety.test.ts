// Nothing lost through crashes: the connector (a real process) is SIGKILLed at
// random points while PMS changes stream in; after each restart every change
// reaches Healthengine and the slot advances. Quick by default; the long
// mode lives in bench/ (CRASH_ROUNDS sets the number of kills here too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLink } from '../../src/db/queries/practice-links.ts';
import { lsnToBigInt } from '../../src/cdc/lsn.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { createHarness, TEST_API_KEY, waitFor, type Harness } from '../support/connector-harness.ts';
import { spawnConnector, type ConnectorProcess } from '../support/connector-process.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 4);
let sandbox: Sandbox;
let h: Harness;
let proc: ConnectorProcess | null = null;

// deterministic pseudo-random, so a failure can be replayed
let seed = Number(process.env.CRASH_SEED ?? 42);
const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Slot { practitionerId: number; calendarId: string; date: string; time: string; startsAt: string }

beforeAll(async () => {
  sandbox = await createSandbox({ apiKey: TEST_API_KEY, practices: [{ practiceId: '5001', practiceKey: 'key-5001', consent: 'granted' }] });
  h = await createHarness('crash', sandbox.url, { CONNECTOR_DEBOUNCE_SECONDS: 0.5, CONNECTOR_HORIZON_DAYS: 14 });
});
afterAll(async () => {
  await proc?.kill();
  await h?.stop();
  await sandbox?.close();
});

/** Free 15-minute starts inside working hours at location 2, a few days out. */
async function candidateSlots(): Promise<Slot[]> {
  const r = await h.db.pool.query(`
    SELECT replace(h.calendar_id, 'prac-', '')::int AS practitioner_id, h.calendar_id, d::date::text AS date,
           to_char(t, 'HH24:MI') AS time, ((d::date + t) AT TIME ZONE 'Australia/Sydney')::text AS starts_at
    FROM healthengine.pms_working_hours h,
         generate_series(current_date + 2, current_date + 10, interval '1 day') d,
         generate_series(timestamp '2000-01-01' + h.start_time, timestamp '2000-01-01' + h.end_time - interval '15 minutes', interval '15 minutes') ts,
         LATERAL (SELECT ts::time AS t) x
    WHERE h.location_id = '2' AND h.calendar_id LIKE 'prac-%' AND extract(dow FROM d) = h.weekday
      AND NOT EXISTS (SELECT 1 FROM healthengine.pms_busy b WHERE b.calendar_id = h.calendar_id
          AND b.starts_at < ((d::date + t) AT TIME ZONE 'Australia/Sydney') + interval '15 minutes'
          AND b.ends_at > ((d::date + t) AT TIME ZONE 'Australia/Sydney'))
      AND NOT EXISTS (SELECT 1 FROM healthengine.pms_calendar_exception e WHERE (e.calendar_id = h.calendar_id OR e.calendar_id IS NULL)
          AND (e.location_id = '2' OR e.location_id IS NULL) AND d::date BETWEEN e.local_from AND e.local_to)`);
  return r.rows.map((x) => ({ practitionerId: x.practitioner_id, calendarId: x.calendar_id, date: x.date, time: x.time, startsAt: x.starts_at }));
}

describe('crash safety', () => {
  it(`SIGKILL at random points ${ROUNDS} times: every change still reaches Healthengine and the slot advances`, async () => {
    await insertLink(h.db.pool, { practiceId: '5001', practiceKey: 'key-5001', locationIds: ['2'] });
    proc = spawnConnector(h.config, process.env.CRASH_LOG);
    await waitFor('linked', () => Object.keys(sandbox.admin.getPractice('5001').availability).length > 0, 30_000);

    const pool = (await candidateSlots()).sort(() => rand() - 0.5);
    const booked: Slot[] = [];
    const book = async () => {
      const s = pool.pop();
      if (!s) return;
      await h.db.pool.query(
        `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, source, notes)
         VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 15, 'reception', 'crash test')`,
        [s.practitionerId, s.startsAt],
      );
      booked.push(s);
    };
    for (let round = 0; round < ROUNDS; round++) {
      // changes while the connector runs, then a kill at a random moment
      const killAt = Date.now() + 150 + rand() * 1200;
      while (Date.now() < killAt) { await book(); await sleep(rand() * 40); }
      await proc.kill('SIGKILL');
      // more changes while it is down
      for (let i = 0; i < 5; i++) await book();
      proc = spawnConnector(h.config, process.env.CRASH_LOG);
    }
    for (let i = 0; i < 5; i++) await book();
    const lastLsn = (await h.db.pool.query(`SELECT pg_current_wal_lsn()::text AS l`)).rows[0].l as string;
    expect(booked.length).toBeGreaterThan(10);

    const resources = new Map<string, string[]>();
    for (const r of (await h.db.pool.query(`SELECT calendar_id, resource_id FROM healthengine.pms_resource WHERE location_id = '2'`)).rows) {
      resources.set(r.calendar_id, [...(resources.get(r.calendar_id) ?? []), r.resource_id]);
    }
    // converged: no booked start is still published as free
    await waitFor('every change pushed', () => {
      const avail = sandbox.admin.getPractice('5001').availability;
      return booked.every((b) => (resources.get(b.calendarId) ?? []).every((rid) =>
        !(avail[rid]?.[b.date] ?? []).some((r) => r.start <= b.time && r.end > b.time)));
    }, 90_000, 250);
    // and the slot moved past the last change
    await waitFor('slot advanced', async () => {
      const r = await h.db.pool.query(`SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1`, [h.config.CONNECTOR_SLOT_NAME]);
      return lsnToBigInt(r.rows[0].l) >= lsnToBigInt(lastLsn);
    }, 30_000);
  }, 240_000);
});
