// The checks `run` makes before streaming and `doctor` prints for a DBA: each
// with a one-line reason and the fix. Exit code of doctor = number of failures.
import type pg from 'pg';
import { PUBLICATIONS } from './install.ts';

export interface Check { name: string; ok: boolean; detail: string; fix?: string }

export async function preflight(pool: pg.Pool, opts: { slotName: string; captureMode: 'replication' | 'outbox-poll'; streaming?: boolean }): Promise<Check[]> {
  const checks: Check[] = [];
  const q = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows;
  try {
    await q('SELECT 1');
    checks.push({ name: 'database', ok: true, detail: 'reachable' });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: `cannot connect: ${(err as Error).message}`, fix: 'check DATABASE_URL and that PostgreSQL is running' });
    return checks;
  }
  const [schema] = await q(`SELECT to_regclass('healthengine.practice_link') IS NOT NULL AS ok`);
  checks.push(schema?.ok
    ? { name: 'schema', ok: true, detail: 'schema healthengine installed' }
    : { name: 'schema', ok: false, detail: 'schema healthengine is not installed', fix: 'run: he-connector install (or apply the SQL from he-connector install --plan with psql)' });
  const adapterViews = ['pms_location', 'pms_location_hours', 'pms_resource', 'pms_appointment_type', 'pms_working_hours', 'pms_calendar_exception', 'pms_busy', 'pms_patient'];
  const [views] = await q(`SELECT array_agg(v) FILTER (WHERE to_regclass('healthengine.' || v) IS NULL) AS missing FROM unnest($1::text[]) v`, [adapterViews]);
  const missing: string[] = views?.missing ?? [];
  checks.push(missing.length === 0
    ? { name: 'adapter', ok: true, detail: 'adapter views present' }
    : { name: 'adapter', ok: false, detail: `adapter views missing: ${missing.join(', ')}`, fix: 'install the PMS adapter: he-connector install --adapter <file> (see docs/adapter.md)' });
  if (opts.streaming === false) return checks; // a workers-only instance reads nothing from the slot
  if (schema?.ok) {
    // the adapter's row-level triggers call these; installed per capture mode (sql/capture/)
    const [h] = await q(`SELECT count(*)::int AS n, coalesce(bool_or(prosrc LIKE '%pg_logical_emit_message%'), false) AS wal
                         FROM pg_proc WHERE pronamespace = 'healthengine'::regnamespace AND proname IN ('capture_availability', 'capture_availability_moved', 'capture_appointment_state')`);
    const fix = `run: CONNECTOR_CAPTURE_MODE=${opts.captureMode} he-connector install`;
    if (h?.n !== 3) checks.push({ name: 'capture helpers', ok: false, detail: 'healthengine.capture_availability / capture_availability_moved / capture_appointment_state are missing', fix });
    else if (opts.captureMode === 'outbox-poll' && h.wal) checks.push({ name: 'capture helpers', ok: false, detail: 'the capture helpers emit WAL messages (installed for replication mode): appointment and block changes would never reach the outbox', fix });
    else checks.push({ name: 'capture helpers', ok: true, detail: h.wal ? 'WAL messages' : 'outbox rows' });
  }
  if (opts.captureMode === 'outbox-poll' && schema?.ok) {
    const [t] = await q(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'notify_outbox' AND tgrelid = 'healthengine.change_event'::regclass`);
    checks.push(t?.n === 1
      ? { name: 'outbox wake-up', ok: true, detail: 'NOTIFY trigger on healthengine.change_event' }
      : { name: 'outbox wake-up', ok: false, detail: 'the outbox NOTIFY trigger is missing (install ran in replication mode)', fix: 'run: CONNECTOR_CAPTURE_MODE=outbox-poll he-connector install' });
  }
  if (opts.captureMode === 'replication') {
    const [wal] = await q(`SELECT current_setting('wal_level') AS v`);
    checks.push(wal?.v === 'logical'
      ? { name: 'wal_level', ok: true, detail: 'logical' }
      : { name: 'wal_level', ok: false, detail: `wal_level is '${wal?.v}'`, fix: "set wal_level = logical in postgresql.conf and restart PostgreSQL, or use CONNECTOR_CAPTURE_MODE=outbox-poll" });
    const [role] = await q(`SELECT rolreplication OR rolsuper AS ok, current_user AS who FROM pg_roles WHERE rolname = current_user`);
    checks.push(role?.ok
      ? { name: 'replication privilege', ok: true, detail: `role ${role.who} may replicate` }
      : { name: 'replication privilege', ok: false, detail: `role ${role?.who} lacks REPLICATION`, fix: `ALTER ROLE ${role?.who} REPLICATION; (see docs/privileges.md) or use CONNECTOR_CAPTURE_MODE=outbox-poll` });
    const [slot] = await q(`SELECT slot_type, plugin, database = current_database() AS here, wal_status FROM pg_replication_slots WHERE slot_name = $1`, [opts.slotName]);
    if (!slot) checks.push({ name: 'replication slot', ok: false, detail: `slot '${opts.slotName}' does not exist`, fix: 'run: he-connector install' });
    else if (slot.wal_status === 'lost') checks.push({ name: 'replication slot', ok: false, detail: `slot '${opts.slotName}' is invalidated (wal_status lost): changes were lost`, fix: 'he-connector uninstall then install to recreate it, then insert a resync request (scope all) so Healthengine gets a full snapshot' });
    else if (!slot.here || slot.plugin !== 'pgoutput') checks.push({ name: 'replication slot', ok: false, detail: `slot '${opts.slotName}' belongs to another database or plugin`, fix: 'choose another CONNECTOR_SLOT_NAME' });
    else checks.push({ name: 'replication slot', ok: true, detail: `'${opts.slotName}' (wal_status ${slot.wal_status ?? 'unknown'})` });
    const [pubs] = await q(`SELECT array_agg(p) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = p)) AS missing FROM unnest($1::text[]) p`, [[...PUBLICATIONS]]);
    const missingPubs: string[] = pubs?.missing ?? [];
    checks.push(missingPubs.length === 0
      ? { name: 'publications', ok: true, detail: PUBLICATIONS.join(', ') }
      : { name: 'publications', ok: false, detail: `missing: ${missingPubs.join(', ')}`, fix: 'run: he-connector install' });
    if (schema?.ok) {
      const [ri] = await q(`SELECT relreplident FROM pg_class WHERE oid = 'healthengine.practice_link'::regclass`);
      checks.push(ri?.relreplident === 'f'
        ? { name: 'replica identity', ok: true, detail: 'practice_link has REPLICA IDENTITY FULL' }
        : { name: 'replica identity', ok: false, detail: 'practice_link needs REPLICA IDENTITY FULL (old rows tell user saves from status writes)', fix: 'ALTER TABLE healthengine.practice_link REPLICA IDENTITY FULL;' });
    }
  }
  return checks;
}

export function failedChecks(checks: readonly Check[]): Check[] {
  return checks.filter((c) => !c.ok);
}
