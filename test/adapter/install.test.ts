// Installing the demo PMS and its adapter: idempotent, in either order, with a
// deterministic seed, and usable by least-privilege roles.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCaptureHelpers } from '../../src/db/install.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { demoAdapterSqlPath, installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { adapterSql, at, createAdapterDatabase, SYDNEY, workingDate } from './adapter-db.ts';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

async function fingerprint(pool: pg.Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows[0];
  return {
    counts: await q(`SELECT (SELECT count(*) FROM pms.clinic) AS clinics, (SELECT count(*) FROM pms.practitioner) AS practitioners,
      (SELECT count(*) FROM pms.patient) AS patients, (SELECT count(*) FROM pms.appointment) AS appointments,
      (SELECT count(*) FROM pms.roster) AS rosters, (SELECT count(*) FROM pms.diary_block) AS blocks`),
    triggers: await q(`SELECT count(*)::int AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'pms'::regnamespace AND NOT t.tgisinternal`),
    objects: await q(`SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'healthengine'::regnamespace) AS functions,
      (SELECT count(*) FROM pg_views WHERE schemaname = 'healthengine') AS views`),
    // the diary, minus anything that depends on the clock's exact second
    diary: await q(`SELECT md5(string_agg(concat_ws('|', clinic_id, practitioner_id, room_id, patient_id, appointment_type_id,
      starts_at, duration_minutes, source, external_ref, notes), ',' ORDER BY starts_at, clinic_id, practitioner_id, room_id)) AS h FROM pms.appointment`),
    patients: await q(`SELECT md5(string_agg(p::text, ',' ORDER BY patient_id)) AS h FROM pms.patient p`),
  };
}

describe('install', () => {
  it('schema, seed and adapter can all run twice; the second run changes nothing', async () => {
    const db = await createTestDatabase('adapter_install');
    dbs.push(db);
    await applyMigrations(db.pool);
    await installCaptureHelpers(db.pool, true); // outbox rows: what these tests read
    await installDemoPms(db.pool);
    await db.pool.query(adapterSql());
    const first = await fingerprint(db.pool);
    await installDemoPms(db.pool);
    await db.pool.query(adapterSql());
    await applyMigrations(db.pool);
    await installCaptureHelpers(db.pool, true);
    expect(await fingerprint(db.pool)).toEqual(first);
    // appointment and diary_block: one row-level trigger each; 12 tables with
    // statement-level insert/update/delete capture; practitioner and specialty with update capture
    expect(first.triggers.n).toBe(40);
    expect(demoAdapterSqlPath()).toMatch(/sql\/demo\/adapter\.sql$/);
  });

  it('the seed is deterministic: two databases seeded the same day hold the same diary and patients', async () => {
    const [a, b] = await Promise.all([createAdapterDatabase('adapter_seed_a'), createAdapterDatabase('adapter_seed_b')]);
    dbs.push(a, b);
    const [fa, fb] = await Promise.all([fingerprint(a.pool), fingerprint(b.pool)]);
    expect(fa.diary).toEqual(fb.diary);
    expect(fa.patients).toEqual(fb.patients);
  });

  it('adapter first, seed second: the seed\'s writes are captured as change events', async () => {
    const db = await createTestDatabase('adapter_first');
    dbs.push(db);
    await applyMigrations(db.pool);
    await installCaptureHelpers(db.pool, true); // outbox rows: what these tests read
    await installDemoPms(db.pool, { seed: false });
    await db.pool.query(adapterSql());
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM healthengine.pms_resource`)).rows[0].n).toBe(0);
    await installDemoPms(db.pool, { seed: true });
    const ev = (await db.pool.query(`SELECT kind, config_kind, count(*)::int AS n FROM healthengine.change_event GROUP BY 1, 2 ORDER BY 1, 2`)).rows;
    expect(ev.map((e) => `${e.kind}/${e.config_kind ?? ''}`)).toEqual(['availability/', 'config/appointment_types', 'config/liveness', 'config/resources']);
    // appointments and blocks are captured per row: at least one event for each that holds future time
    // (the seed edits some after inserting them)
    const availability = ev.find((e) => e.kind === 'availability')!.n;
    const holding = (await db.pool.query(
      `SELECT (SELECT count(*) FROM pms.appointment WHERE status <> 'cancelled' AND starts_at + duration_minutes * interval '1 minute' > now())
            + (SELECT count(*) FROM pms.diary_block WHERE starts_at + duration_minutes * interval '1 minute' > now()) AS n`)).rows[0].n;
    expect(availability).toBeGreaterThanOrEqual(Number(holding));
    expect(Number(holding)).toBeGreaterThan(100);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM healthengine.pms_resource`)).rows[0].n).toBe(11);
  });
});

describe('privileges', () => {
  let db: TestDatabase;
  const tag = randomBytes(3).toString('hex');
  const pmsRole = `pms_app_${tag}`;
  const connectorRole = `he_conn_${tag}`;
  const password = `pw_${tag}`;
  const urlAs = (role: string) => {
    const u = new URL(db.url);
    u.username = role;
    u.password = password;
    return u.toString();
  };

  beforeAll(async () => {
    db = await createAdapterDatabase('adapter_priv');
    await db.pool.query(`CREATE ROLE ${pmsRole} LOGIN PASSWORD '${password}'`);
    await db.pool.query(`CREATE ROLE ${connectorRole} LOGIN PASSWORD '${password}'`);
    // the PMS application: its own tables, plus the right to write change events (docs/adapter.md)
    await db.pool.query(`GRANT USAGE ON SCHEMA pms TO ${pmsRole};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pms TO ${pmsRole};
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA pms TO ${pmsRole};
      GRANT USAGE ON SCHEMA healthengine TO ${pmsRole};
      GRANT INSERT ON healthengine.change_event TO ${pmsRole};`);
    // the connector: the contract views and functions, nothing in pms
    await db.pool.query(`GRANT USAGE ON SCHEMA healthengine TO ${connectorRole};
      GRANT SELECT ON ALL TABLES IN SCHEMA healthengine TO ${connectorRole};
      GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA healthengine TO ${connectorRole};`);
  });
  afterAll(async () => {
    if (!db) return;
    await db.pool.query(`DROP OWNED BY ${pmsRole}, ${connectorRole}`).catch(() => {});
    await db.pool.query(`DROP ROLE IF EXISTS ${pmsRole}`).catch(() => {});
    await db.pool.query(`DROP ROLE IF EXISTS ${connectorRole}`).catch(() => {});
    await db.drop();
  });

  async function as<T>(role: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: urlAs(role) });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  it('a PMS user edits the diary; the trigger writes the event with the PMS user\'s rights', async () => {
    const n = await as(pmsRole, async (c) => {
      await c.query(`UPDATE pms.appointment SET starts_at = starts_at + interval '5 minutes'
        WHERE appointment_id = (SELECT max(appointment_id) FROM pms.appointment WHERE status = 'booked')`);
      return (await db.pool.query(`SELECT count(*)::int AS n FROM healthengine.change_event WHERE created_at > now() - interval '1 minute'`)).rows[0].n;
    });
    expect(n).toBeGreaterThan(0);
  });

  it('a PMS user cannot call the booking functions', async () => {
    const code = await as(pmsRole, (c) => c.query(`SELECT healthengine.pms_cancel_appointment('1', NULL)`).then(() => 'ok', (e) => e.code));
    expect(code).toBe('42501');
  });

  it('the connector reads the views and books through the functions without any right on pms tables', async () => {
    const d = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-7', zone: SYDNEY, minDays: 21, weekdays: [1, 2, 3, 4, 5] });
    const r = await as(connectorRole, async (c) => {
      const resources = (await c.query(`SELECT count(*)::int AS n FROM healthengine.pms_resource`)).rows[0].n;
      const patient = (await c.query(`SELECT healthengine.pms_create_patient('{"first_name": "Ari", "last_name": "Levi"}') AS id`)).rows[0].id;
      const ids = (await c.query(`SELECT healthengine.pms_insert_booking('prac-7:spec-1', '1:prac-7:spec-1', $1, $2, NULL, NULL, 77) AS ids`, [patient, at(d, '09:00')])).rows[0].ids;
      await c.query(`SELECT healthengine.pms_cancel_appointment($1, 'test')`, [ids[0]]);
      const denied = await c.query(`SELECT count(*) FROM pms.appointment`).then(() => 'ok', (e) => e.code);
      return { resources, ids, denied };
    });
    expect(r.resources).toBe(11);
    expect(r.ids).toHaveLength(1);
    expect(r.denied).toBe('42501');
  });
});
