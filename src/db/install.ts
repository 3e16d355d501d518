// The DBA's install: connector schema (migrations), the PMS adapter, the
// publication and the replication slot. Every step is idempotent; `plan`
// prints the exact SQL instead of running it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { applyMigrations, planMigrations } from './migrations.ts';

/** Tables streamed through the slot. Outbox rows only matter when inserted; the
 * control tables' updates and deletes matter too. */
export const OUTBOX_PUBLICATION = 'healthengine_outbox';
export const CONTROL_PUBLICATION = 'healthengine_control';
export const PUBLICATIONS = [OUTBOX_PUBLICATION, CONTROL_PUBLICATION] as const;
const CONTROL_TABLES = ['healthengine.practice_link', 'healthengine.resync_request', 'healthengine.liveness_hours'];

export interface InstallOptions {
  adapterSqlPath?: string;
  slotName: string;
  /** replication: create the slot; outbox-poll: no slot, a NOTIFY trigger wakes the pollers instead */
  createSlot: boolean;
  jobSchema: string;
}

export function publicationSql(): string {
  return `DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '${OUTBOX_PUBLICATION}') THEN
    CREATE PUBLICATION ${OUTBOX_PUBLICATION} FOR TABLE healthengine.change_event WITH (publish = 'insert');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '${CONTROL_PUBLICATION}') THEN
    CREATE PUBLICATION ${CONTROL_PUBLICATION} FOR TABLE ${CONTROL_TABLES.join(', ')} WITH (publish = 'insert, update, delete');
  END IF;
END $$;`;
}

/**
 * The capture helpers the adapter's row-level triggers call: WAL messages
 * read from the slot (replication), or outbox rows (outbox-poll, no slot).
 */
export function captureSqlPath(outboxPoll: boolean): string {
  return fileURLToPath(new URL(`../../sql/capture/${outboxPoll ? 'outbox-rows' : 'wal-messages'}.sql`, import.meta.url));
}

export async function installCaptureHelpers(pool: Pick<pg.Pool, 'query'>, outboxPoll: boolean): Promise<void> {
  await pool.query(readFileSync(captureSqlPath(outboxPoll), 'utf8'));
}

/** NOTIFY serialises commits, so only the outbox-polling mode pays for it. */
export function notifyTriggerSql(outboxPoll: boolean): string {
  return outboxPoll
    ? `CREATE OR REPLACE TRIGGER notify_outbox AFTER INSERT ON healthengine.change_event FOR EACH STATEMENT EXECUTE FUNCTION healthengine.notify_outbox();`
    : `DROP TRIGGER IF EXISTS notify_outbox ON healthengine.change_event;`;
}

/** Slot creation must run outside any transaction that has written. */
export function slotSql(slotName: string): string {
  return `SELECT pg_create_logical_replication_slot('${slotName}', 'pgoutput')
WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '${slotName}');`;
}

export function assertSafeIdentifier(what: string, value: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new Error(`${what} must be a lower-case SQL identifier (letters, digits, _), got '${value}'`);
  }
}

export interface InstallReport {
  migrationsApplied: string[];
  adapter: string | null;
  slotCreated: boolean;
}

export async function install(pool: pg.Pool, opts: InstallOptions): Promise<InstallReport> {
  assertSafeIdentifier('slot name', opts.slotName);
  const m = await applyMigrations(pool);
  await installCaptureHelpers(pool, !opts.createSlot);
  if (opts.adapterSqlPath) await pool.query(readFileSync(opts.adapterSqlPath, 'utf8'));
  await pool.query(publicationSql());
  await pool.query(notifyTriggerSql(!opts.createSlot));
  let slotCreated = false;
  if (opts.createSlot) {
    const r = await pool.query(slotSql(opts.slotName));
    slotCreated = (r.rowCount ?? 0) > 0;
  }
  return {
    migrationsApplied: m.applied.map((x) => `${x.version}_${x.name}`),
    adapter: opts.adapterSqlPath ?? null,
    slotCreated,
  };
}

export async function installPlan(pool: pg.Pool | undefined, opts: InstallOptions): Promise<string> {
  assertSafeIdentifier('slot name', opts.slotName);
  const parts = [`-- healthengine connector install plan\n\\set ON_ERROR_STOP on`, await planMigrations(pool)];
  const capture = captureSqlPath(!opts.createSlot);
  parts.push(`-- capture helpers: ${capture.slice(capture.lastIndexOf('/sql/') + 1)}\n${readFileSync(capture, 'utf8').trim()}`);
  if (opts.adapterSqlPath) parts.push(`-- adapter: ${opts.adapterSqlPath}\n${readFileSync(opts.adapterSqlPath, 'utf8').trim()}`);
  parts.push(`-- publications\n${publicationSql()}`);
  parts.push(`-- outbox wake-up (outbox-poll mode only)\n${notifyTriggerSql(!opts.createSlot)}`);
  if (opts.createSlot) parts.push(`-- replication slot (outside a transaction)\n${slotSql(opts.slotName)}`);
  return parts.join('\n\n') + '\n';
}

export function uninstallSql(slotName: string, jobSchema: string): string[] {
  assertSafeIdentifier('slot name', slotName);
  assertSafeIdentifier('job schema', jobSchema);
  return [
    // an active slot cannot be dropped: stop the connector first
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slotName}'`,
    `DROP PUBLICATION IF EXISTS ${PUBLICATIONS.join(', ')}`,
    // adapter trigger functions live in schema healthengine, so CASCADE removes the triggers on PMS tables too
    `DROP SCHEMA IF EXISTS healthengine CASCADE`,
    `DROP SCHEMA IF EXISTS ${jobSchema} CASCADE`,
  ];
}

export async function uninstall(pool: pg.Pool, slotName: string, jobSchema: string): Promise<void> {
  for (const sql of uninstallSql(slotName, jobSchema)) await pool.query(sql);
}
