// A throwaway benchmark database: its own embedded PostgreSQL 18 (wal_level =
// logical, the same server flags as the tests), the demo PMS with extra
// appointments, then the connector's install (migrations, adapter, slot) and
// one enabled link covering every clinic, so every captured change plans jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/db/embedded-server.ts';
import { install } from '../../src/db/install.ts';
import { insertLink } from '../../src/db/queries/practice-links.ts';
import { demoAdapterSqlPath, installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { lsnToBigInt } from '../../src/cdc/lsn.ts';

export const BENCH_API_KEY = 'bench-vendor-api-key';
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface BenchDb {
  server: EmbeddedServer;
  url: string;
  pool: pg.Pool;
  config: Config;
  /** stops the server and removes its folder; safe to call twice */
  close(): Promise<void>;
}

export interface BenchDbOptions {
  /** extra future appointments generated before the slot exists (not decoded) */
  appointments: number;
  /** their source: 'reception' (default) or 'healthengine' (online bookings, whose cancellations the connector reports) */
  source?: string;
  /** install the connector (migrations, adapter, slot, link); false = PMS only */
  connector?: boolean;
  /** create the replication slot (default true when connector) */
  slot?: boolean;
  config?: Partial<Record<keyof Config, unknown>>;
  log?: (line: string) => void;
}

/** The PostgreSQL version the last benchmark server reported, for the summary. */
export let lastServerVersion: string | null = null;

/** Every open server, so a crash or Ctrl-C still stops them. */
const open = new Set<BenchDb>();
export async function closeAll(): Promise<void> {
  for (const db of [...open]) await db.close().catch(() => {});
}

export async function startBenchDb(opts: BenchDbOptions): Promise<BenchDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'he-bench-pg-'));
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedServer({ dataDir, persistent: false });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let pool: pg.Pool | null = null;
  let closed = false;
  const db: BenchDb = {
    server,
    url: server.urlFor('bench'),
    pool: null as unknown as pg.Pool,
    config: null as unknown as Config,
    async close() {
      if (closed) return;
      closed = true;
      open.delete(db);
      await pool?.end().catch(() => {});
      await server.stop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  open.add(db);
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    pool = new pg.Pool({ connectionString: db.url, max: 6, application_name: 'bench' });
    pool.on('error', () => {});
    db.pool = pool;
    lastServerVersion = await serverVersion(pool);
    await installDemoPms(pool, { seed: true });
    if (opts.appointments > 0) await generateAppointments(pool, opts.appointments, { source: opts.source ?? 'reception' });
    db.config = loadConfig({}, {
      DATABASE_URL: db.url,
      HEALTHENGINE_BASE_URL: 'http://127.0.0.1:9/pms-api/v1', // never called: workers are off
      HEALTHENGINE_API_KEY: BENCH_API_KEY,
      CONNECTOR_SLOT_NAME: 'bench_slot',
      CONNECTOR_DEBOUNCE_SECONDS: 3,
      CONNECTOR_HEARTBEAT_SECONDS: 5,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...opts.config,
    });
    if (opts.connector !== false) {
      await install(pool, {
        adapterSqlPath: demoAdapterSqlPath(),
        slotName: db.config.CONNECTOR_SLOT_NAME,
        createSlot: opts.slot ?? true,
        jobSchema: db.config.CONNECTOR_JOB_SCHEMA,
      });
      await insertLink(pool, { practiceId: '5001', practiceKey: 'bench-practice-key', locationIds: ['1', '2', '3'] });
    }
    await pool.query('VACUUM ANALYZE');
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * Future 'booked' appointments (notes 'bench') spread over every practitioner diary of the
 * demo clinics, days 1..days ahead (inside the default 28-day horizon, so each
 * change plans availability jobs), 15 minutes each from 08:00 local-ish.
 * Returns the elapsed milliseconds.
 */
export async function generateAppointments(db: Pick<pg.Pool, 'query'>, n: number, opts: { days?: number; source?: string } = {}): Promise<number> {
  const days = opts.days ?? 27;
  const t0 = performance.now();
  await db.query(
    `WITH cal AS (
       SELECT array_agg(clinic_id ORDER BY practitioner_id, clinic_id) AS clinics,
              array_agg(practitioner_id ORDER BY practitioner_id, clinic_id) AS pracs,
              count(*)::int AS n
       FROM pms.practitioner_clinic)
     INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, status, source, notes)
     SELECT cal.clinics[1 + g % cal.n], cal.pracs[1 + g % cal.n], 1 + g % 60,
            date_trunc('day', now()) + (1 + (g / cal.n) % $2) * interval '1 day' + interval '8 hours'
              + ((g / (cal.n * $2)) % 36) * interval '15 minutes',
            15, 'booked', $3, 'bench'
     FROM cal, generate_series(0, $1::int - 1) g`,
    [n, days, opts.source ?? 'reception'],
  );
  return performance.now() - t0;
}

/**
 * The WAL insert position: past the commit record of everything committed so
 * far. (pg_current_wal_lsn() is the *write* position, which with
 * synchronous_commit=off, as the embedded server runs, can still be short of
 * a commit the client has already seen.)
 */
export async function currentLsn(db: Pick<pg.Pool, 'query'>): Promise<string> {
  return (await db.query(`SELECT pg_current_wal_insert_lsn()::text AS l`)).rows[0].l as string;
}

export async function slotState(db: Pick<pg.Pool, 'query'>, slot: string): Promise<{ confirmed: string | null; active: boolean; lagBytes: number }> {
  const r = await db.query(
    `SELECT confirmed_flush_lsn::text AS c, active, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), confirmed_flush_lsn)::float8 AS lag
     FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
  const row = r.rows[0];
  return { confirmed: row?.c ?? null, active: Boolean(row?.active), lagBytes: Number(row?.lag ?? NaN) };
}

/**
 * A heartbeat message, flushed (PostgreSQL 17+): the embedded server runs
 * synchronous_commit=off, so without the flush the slot would only see the
 * tail of a run when the WAL writer gets to it (up to ~3 x wal_writer_delay).
 */
async function marker(db: Pick<pg.Pool, 'query'>): Promise<void> {
  await db.query(`SELECT pg_logical_emit_message(false, 'healthengine.heartbeat', 'bench', true)`);
}

/**
 * Waits until the slot's confirmed_flush_lsn reaches `target`: every change
 * before it planned and its jobs committed in pg-boss. A non-transactional
 * heartbeat message (what the connector's own heartbeat timer emits) is
 * written after `target`, so an idle stream confirms it at once instead of
 * at the next timer tick, and it is flushed, so the walsender sees
 * everything before it at once. Returns the milliseconds waited, or null on timeout.
 */
export async function waitForSlot(db: Pick<pg.Pool, 'query'>, slot: string, target: string, timeoutMs: number, pollMs = 10): Promise<number | null> {
  const t0 = performance.now();
  const want = lsnToBigInt(target);
  await marker(db);
  let lastMarker = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const s = await slotState(db, slot);
    if (s.confirmed && lsnToBigInt(s.confirmed) >= want) return performance.now() - t0;
    // a marker that arrived mid-transaction is not confirmed: send another now and then
    if (performance.now() - lastMarker > 1000) {
      await marker(db);
      lastMarker = performance.now();
    }
    await sleep(pollMs);
  }
  return null;
}

export async function serverVersion(db: Pick<pg.Pool, 'query'>): Promise<string> {
  return (await db.query(`SHOW server_version`)).rows[0].server_version as string;
}
