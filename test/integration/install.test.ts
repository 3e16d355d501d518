// Install / reinstall / uninstall round trip on a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, installPlan, uninstall } from '../../src/db/install.ts';
import { loadMigrations } from '../../src/db/migrations.ts';
import { failedChecks, preflight } from '../../src/db/preflight.ts';
import { demoAdapterSqlPath, installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

let db: TestDatabase;
const slotName = () => `slot_${db.name}`;
const opts = () => ({ adapterSqlPath: demoAdapterSqlPath(), slotName: slotName(), createSlot: true, jobSchema: 'healthengine_jobs' });

async function inventory(): Promise<Record<string, unknown>> {
  const q = async (sql: string) => (await db.pool.query(sql)).rows;
  return {
    tables: (await q(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'healthengine' ORDER BY 1`)).map((r) => r.table_name),
    functions: (await q(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'healthengine' ORDER BY 1`)).map((r) => r.proname),
    triggers: (await q(`SELECT tgname, tgrelid::regclass::text AS rel FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`)).map((r) => `${r.rel}.${r.tgname}`),
    publications: (await q(`SELECT pubname FROM pg_publication ORDER BY 1`)).map((r) => r.pubname),
    slots: (await q(`SELECT slot_name FROM pg_replication_slots WHERE database = current_database()`)).map((r) => r.slot_name),
    migrations: (await q(`SELECT version, checksum FROM healthengine.schema_migration ORDER BY 1`).catch(() => [])),
  };
}

beforeAll(async () => {
  db = await createTestDatabase('install');
  await installDemoPms(db.pool, { seed: true });
});
afterAll(async () => db.drop());

describe('SQL install', () => {
  it('installs schema, adapter, publications and slot; doctor passes', async () => {
    const r = await install(db.pool, opts());
    expect(r.migrationsApplied).toEqual(loadMigrations().map((m) => `${m.version}_${m.name}`));
    expect(r.slotCreated).toBe(true);
    const inv = await inventory();
    expect(inv.tables).toEqual(expect.arrayContaining(['practice_link', 'resync_request', 'change_event', 'liveness_hours', 'schema_migration']));
    expect(inv.publications).toEqual(['healthengine_control', 'healthengine_outbox']);
    expect(inv.slots).toEqual([slotName()]);
    expect((inv.triggers as string[]).some((t) => t.startsWith('pms.'))).toBe(true);
    expect(failedChecks(await preflight(db.pool, { slotName: slotName(), captureMode: 'replication' }))).toEqual([]);
  });

  it('doctor refuses outbox-poll mode while the capture helpers emit WAL messages (changes would be lost), and passes once installed for it', async () => {
    const failed = failedChecks(await preflight(db.pool, { slotName: slotName(), captureMode: 'outbox-poll' }));
    expect(failed.find((c) => c.name === 'capture helpers')).toMatchObject({ ok: false, detail: expect.stringMatching(/emit WAL messages/), fix: expect.stringMatching(/CONNECTOR_CAPTURE_MODE=outbox-poll he-connector install/) });
    await install(db.pool, { ...opts(), createSlot: false });
    expect(failedChecks(await preflight(db.pool, { slotName: slotName(), captureMode: 'outbox-poll' }))).toEqual([]);
    await install(db.pool, opts()); // back to replication mode for the next tests
    expect(failedChecks(await preflight(db.pool, { slotName: slotName(), captureMode: 'replication' }))).toEqual([]);
  });

  it('running install twice changes nothing', async () => {
    const before = await inventory();
    const r = await install(db.pool, opts());
    expect(r.migrationsApplied).toEqual([]);
    expect(r.slotCreated).toBe(false);
    expect(await inventory()).toEqual(before);
  });

  it('the plan of an installed database has no migrations left to apply', async () => {
    const plan = await installPlan(db.pool, opts());
    expect(plan).not.toContain('-- migration 1_');
    expect(plan).toContain('CREATE PUBLICATION');
    const fresh = await installPlan(undefined, opts());
    expect(fresh).toContain('-- migration 1_connector_schema');
  });

  it('a migration edited after it was applied is refused, not re-run', async () => {
    await db.pool.query(`UPDATE healthengine.schema_migration SET checksum = 'tampered' WHERE version = 1`);
    await expect(install(db.pool, opts())).rejects.toThrow(/was changed after it was applied/);
    await db.pool.query(`UPDATE healthengine.schema_migration SET checksum = $1 WHERE version = 1`, [loadMigrations()[0]!.checksum]);
  });

  it('uninstall removes slot, publications, triggers on PMS tables and the schema; PMS data stays', async () => {
    const patientsBefore = (await db.pool.query(`SELECT count(*)::int AS n FROM pms.patient`)).rows[0].n;
    await uninstall(db.pool, slotName(), 'healthengine_jobs');
    const inv = await inventory();
    expect(inv.tables).toEqual([]);
    expect(inv.functions).toEqual([]);
    expect(inv.publications).toEqual([]);
    expect(inv.slots).toEqual([]);
    expect((inv.triggers as string[]).filter((t) => t.startsWith('pms.'))).toEqual([]);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM pms.patient`)).rows[0].n).toBe(patientsBefore);
    // the PMS keeps working without the connector
    await db.pool.query(`UPDATE pms.patient SET email = email WHERE true`);
  });

  it('and installs again cleanly after an uninstall', async () => {
    const r = await install(db.pool, opts());
    expect(r.migrationsApplied.length).toBe(loadMigrations().length);
    expect(failedChecks(await preflight(db.pool, { slotName: slotName(), captureMode: 'replication' }))).toEqual([]);
  });
});
