// `npm run demo`: the whole product on this machine, nothing to install beyond
// npm packages: an embedded PostgreSQL (persistent, in .data/) with the demo
// PMS, the Healthengine sandbox, and the connector, narrated step by step.
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config/config.ts';
import { Connector } from '../connector.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../db/embedded-server.ts';
import { install } from '../db/install.ts';
import { insertLink, listLinks } from '../db/queries/practice-links.ts';
import { insertResyncRequest } from '../db/queries/resync-requests.ts';
import { createLogger } from '../log/logger.ts';
import { demoAdapterSqlPath, installDemoPms } from '../pms-demo/install-demo.ts';
import { createSandbox } from '../sandbox/server.ts';
import { formatStatus, statusReport } from '../cli/status.ts';

const DATA_DIR = fileURLToPath(new URL('../../.data/demo-pg', import.meta.url));
const API_KEY = 'demo-vendor-api-key';
const PRACTICE = { practiceId: '1001', practiceKey: 'demo-practice-key' };

const say = (line = '') => console.log(line);
const step = (n: number, text: string) => say(`\n\x1b[1m${n}. ${text}\x1b[0m`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v as T;
    await sleep(200);
  }
  throw new Error('the demo timed out waiting for the connector; run with LOG_LEVEL=debug to see why');
}

export async function runDemo(opts: { keepRunning: boolean; fresh: boolean }): Promise<void> {
  if (opts.fresh && existsSync(DATA_DIR)) rmSync(DATA_DIR, { recursive: true, force: true });
  step(1, 'Starting PostgreSQL (embedded, wal_level=logical) with the demo PMS');
  const server = await startEmbeddedServer({ dataDir: DATA_DIR, persistent: true });
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    await walkthrough(server, opts, cleanup);
  } catch (err) {
    if (/was changed after it was applied/.test((err as Error).message)) {
      throw new Error(`${(err as Error).message}\nThe demo database in .data/ was made by an older version: run \`npm run demo -- --fresh\` to start over.`);
    }
    throw err;
  } finally {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    await server.stop().catch(() => {});
  }
  say('\nDemo finished. Run it again to continue from where it left off, or with --fresh to start over.');
}

async function walkthrough(server: EmbeddedServer, opts: { keepRunning: boolean }, cleanup: (() => Promise<unknown>)[]): Promise<void> {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  if ((await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'demo_pms'`)).rowCount === 0) await admin.query('CREATE DATABASE demo_pms');
  await admin.end();
  const url = server.urlFor('demo_pms');
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {}); // idle connections end when the server stops at the end
  cleanup.push(() => pool.end());
  await installDemoPms(pool, { seed: true });
  const sandbox = await createSandbox({ apiKey: API_KEY, practices: [{ ...PRACTICE, consent: 'granted' }] });
  cleanup.push(() => sandbox.close());
  const config = loadConfig({ ...process.env }, {
    DATABASE_URL: url,
    HEALTHENGINE_BASE_URL: sandbox.url,
    HEALTHENGINE_API_KEY: API_KEY,
    VENDOR_NAME: 'Demo PMS',
    CONNECTOR_DEBOUNCE_SECONDS: 1,
    CONNECTOR_HORIZON_DAYS: 14,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const report = await install(pool, { adapterSqlPath: demoAdapterSqlPath(), slotName: config.CONNECTOR_SLOT_NAME, createSlot: true, jobSchema: config.CONNECTOR_JOB_SCHEMA });
  const clinics = (await pool.query(`SELECT location_id, name, time_zone FROM healthengine.pms_location ORDER BY 1`)).rows;
  say(`   PostgreSQL ${url.replace(/:[^:@/]+@/, ':***@')}`);
  say(`   demo PMS: ${clinics.map((c) => `${c.name} (${c.time_zone})`).join(', ')}`);
  say(`   connector schema: ${report.migrationsApplied.length ? `installed ${report.migrationsApplied.join(', ')}` : 'up to date'}; replication slot ${report.slotCreated ? 'created' : 'in place'}`);
  say(`   Healthengine sandbox: ${sandbox.url} (practice ${PRACTICE.practiceId}, consent granted)`);

  step(2, 'Starting the connector (change stream + job workers)');
  const connector = new Connector({ config, logger: createLogger({ level: config.LOG_LEVEL, format: 'pretty' }) });
  cleanup.push(() => connector.stop());
  await connector.start();
  await until(() => connector.isStreamOwner);
  say('   streaming changes from the replication slot');

  step(3, `A practice admin links "${clinics[0]!.name}" to Healthengine practice ${PRACTICE.practiceId}`);
  const existing = (await listLinks(pool)).find((l) => l.practiceId === PRACTICE.practiceId);
  if (existing) {
    say(`   (already linked in an earlier run: link ${existing.linkId}; asking for a full resync instead)`);
    await insertResyncRequest(pool, { scope: 'all', linkId: existing.linkId, requestedBy: 'demo' });
  } else {
    await insertLink(pool, { ...PRACTICE, locationIds: [clinics[0]!.location_id], label: 'demo' });
    say(`   INSERT INTO healthengine.practice_link (he_practice_id, he_practice_key, location_ids) VALUES ('${PRACTICE.practiceId}', '***', '{${clinics[0]!.location_id}}')`);
  }
  const practice = await until(() => { const p = sandbox.admin.getPractice(PRACTICE.practiceId); return p.liveness && p.resources && p.appointmentTypes ? p : null; });
  const live = practice.liveness!.liveHours ?? {};
  say(`   Healthengine received, in order:`);
  say(`   - liveness contract: Mon ${(live.monday ?? []).map((r) => `${r.start}-${r.end}`).join(', ') || 'closed'}, Sat ${(live.saturday ?? []).map((r) => `${r.start}-${r.end}`).join(', ') || 'closed'}, Sun ${(live.sunday ?? []).length ? 'open' : 'closed'}`);
  say(`   - ${practice.resources!.length} resources: ${practice.resources!.map((r) => r.pmsResourceName).join('; ')}`);
  say(`   - ${practice.appointmentTypes!.length} appointment types, e.g. ${practice.appointmentTypes!.slice(0, 3).map((t) => `${t.pmsAppointmentTypeName} (${t.pmsAppointmentLength ?? '?'} min)`).join('; ')}`);

  step(4, 'Availability for every resource over the next 14 days');
  const avail = await until(() => { const a = sandbox.admin.getPractice(PRACTICE.practiceId).availability; return Object.keys(a).length >= practice.resources!.length ? a : null; });
  const days = Object.values(avail).reduce((n, byDate) => n + Object.keys(byDate).length, 0);
  const [rid, byDate] = Object.entries(avail)[0]!;
  const firstDay = Object.entries(byDate).find(([, r]) => r.length > 0);
  say(`   ${days} availability snapshots (resource x day) sent in batches of up to 100`);
  if (firstDay) say(`   e.g. ${practice.resources!.find((r) => r.pmsResourceId === rid)?.pmsResourceName} on ${firstDay[0]}: ${firstDay[1].map((r) => `${r.start}-${r.end}`).join(', ')}`);

  step(5, 'Reception books a phone appointment in the PMS; the connector pushes that day again');
  const slot = firstDay ? { date: firstDay[0], start: firstDay[1][0]!.start } : null;
  const cal = (await pool.query(`SELECT calendar_id, location_id FROM healthengine.pms_resource WHERE resource_id = $1`, [rid])).rows[0];
  if (slot && cal && String(cal.calendar_id).startsWith('prac-')) {
    const mark = sandbox.admin.calls().at(-1)?.seq ?? 0;
    await pool.query(
      `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, source, notes)
       VALUES ($1::int, $2::int, (SELECT min(patient_id) FROM pms.patient), (($3::date + $4::time) AT TIME ZONE $5), 15, 'phone', 'demo booking')`,
      [cal.location_id, String(cal.calendar_id).replace('prac-', ''), slot.date, slot.start, clinics[0]!.time_zone],
    );
    say(`   INSERT INTO pms.appointment ... ${slot.date} ${slot.start} (source 'phone')`);
    await until(() => sandbox.admin.calls({ practiceId: PRACTICE.practiceId, path: '/availability/snapshots' }).some((c) => c.seq > mark));
    const after = sandbox.admin.getPractice(PRACTICE.practiceId).availability[rid]?.[slot.date] ?? [];
    say(`   Healthengine now has ${slot.date}: ${after.map((r) => `${r.start}-${r.end}`).join(', ') || 'no free time'} (the ${slot.start} slot is gone)`);
  }

  step(6, 'What a practice admin sees: he-connector status');
  await sleep(1500);
  say(formatStatus(await statusReport(pool, config.CONNECTOR_SLOT_NAME, config.CONNECTOR_JOB_SCHEMA, config.CONNECTOR_CAPTURE_MODE)).split('\n').map((l) => `   ${l}`).join('\n'));
  say(`\n   Calls Healthengine received: ${sandbox.admin.calls().map((c) => `${c.method} ${c.path}`).filter((v, i, a) => a.indexOf(v) === i).join(', ')}`);
  say('   Not in this version yet: patient bookings written into the PMS (Healthengine request handling).');

  if (opts.keepRunning) {
    say(`\nStill running: sandbox ${sandbox.url}, admin ${sandbox.adminUrl}, database ${url.replace(/:[^:@/]+@/, ':***@')}. Ctrl-C to stop.`);
    await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  }
}
