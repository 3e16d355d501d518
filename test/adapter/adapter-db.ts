// Shared set-up of the adapter tests: a fresh database with the connector
// schema, the demo PMS (schema + seed) and the demo adapter applied twice (the
// second run proves it idempotent), plus helpers to read the outbox.
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import type pg from 'pg';
import { installCaptureHelpers } from '../../src/db/install.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { demoAdapterSqlPath, installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

export type Q = Pick<pg.ClientBase, 'query'>;

export const adapterSql = (): string => readFileSync(demoAdapterSqlPath(), 'utf8');

export async function createAdapterDatabase(prefix: string, opts: { seed?: boolean } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  try {
    await applyMigrations(db.pool);
    await installCaptureHelpers(db.pool, true); // outbox rows: what these tests read
    await installDemoPms(db.pool, { seed: opts.seed !== false });
    await db.pool.query(adapterSql());
    await db.pool.query(adapterSql());
    return db;
  } catch (err) {
    await db.drop();
    throw err;
  }
}

export const SYDNEY = 'Australia/Sydney';
export const PERTH = 'Australia/Perth';

/** A practice-local wall-clock time as an ISO instant (UTC), e.g. at('2026-12-21', '10:00'). */
export function at(date: string, time: string, zone = SYDNEY): string {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toUTC().toISO()!;
}

export function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date).plus({ days }).toISODate()!;
}

/**
 * The first local date at least `minDays` ahead where `calendarId` works at
 * `locationId` on a weekday in `weekdays` (0 = Sunday) and has no exception.
 */
export async function workingDate(q: Q, o: { locationId: string; calendarId: string; zone: string; minDays: number; weekdays?: number[] }): Promise<string> {
  const r = await q.query(
    `SELECT d::date::text AS d
     FROM generate_series((now() AT TIME ZONE $3)::date + $4::int, (now() AT TIME ZONE $3)::date + $4::int + 60, interval '1 day') d
     WHERE extract(dow FROM d)::int = ANY ($5::int[])
       AND EXISTS (SELECT 1 FROM healthengine.pms_working_hours w
                   WHERE w.location_id = $1 AND w.calendar_id = $2 AND w.weekday = extract(dow FROM d)
                     AND (w.effective_from IS NULL OR w.effective_from <= d::date)
                     AND (w.effective_to IS NULL OR w.effective_to >= d::date))
       AND NOT EXISTS (SELECT 1 FROM healthengine.pms_calendar_exception e
                       WHERE e.location_id = $1 AND (e.calendar_id IS NULL OR e.calendar_id = $2)
                         AND d::date BETWEEN e.local_from AND e.local_to)
     ORDER BY d LIMIT 1`,
    [o.locationId, o.calendarId, o.zone, o.minDays, o.weekdays ?? [0, 1, 2, 3, 4, 5, 6]],
  );
  if (!r.rows[0]) throw new Error(`no working date for ${o.calendarId} at ${o.locationId}`);
  return r.rows[0].d as string;
}

/** One outbox row with its null columns left out (and origin unless asked for). */
export type Ev = Record<string, string | number>;

export async function lastEventId(q: Q): Promise<number> {
  const r = await q.query(`SELECT coalesce(max(event_id), 0)::bigint AS id FROM healthengine.change_event`);
  return Number(r.rows[0].id);
}

export async function eventsSince(q: Q, mark: number, opts: { origin?: boolean } = {}): Promise<Ev[]> {
  const r = await q.query(
    `SELECT origin, kind, config_kind, location_id, calendar_id, at_from, at_to, local_from::text, local_to::text,
            weekday, appointment_id, appointment_state
     FROM healthengine.change_event WHERE event_id > $1 ORDER BY event_id`,
    [mark],
  );
  return r.rows.map((row) => {
    const out: Ev = {};
    for (const [k, v] of Object.entries(row)) {
      if (v === null || (k === 'origin' && !opts.origin)) continue;
      out[k] = v instanceof Date ? v.toISOString() : (v as string | number);
    }
    return out;
  });
}

/** Order-insensitive comparison key for event lists. */
export function sorted(evs: Ev[]): Ev[] {
  return [...evs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The SQLSTATE a statement fails with (undefined when it succeeds). */
export async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
}
