// Go-live checklist: "Syncing resource availability".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateLink } from '../../src/db/queries/practice-links.ts';
import { createWorld, sleep, waitFor, type World } from '../support/scenario-world.ts';

let w: World;
const HORIZON = 14;
beforeAll(async () => { w = await createWorld('availability', { CONNECTOR_HORIZON_DAYS: HORIZON }); });
afterAll(async () => w?.stop());

type Snap = { date: string; pmsResourceId: string; availability: { start: string; end: string; slotLength: number }[] };
const snapsAfter = (practiceId: string, mark: number): Snap[] =>
  w.posts(practiceId, '/availability/snapshots').filter((c) => c.seq > mark).flatMap((c) => c.body as Snap[]);

async function resourceIds(location: string): Promise<string[]> {
  return (await w.q<{ id: string }>(`SELECT DISTINCT resource_id AS id FROM healthengine.pms_resource WHERE location_id = $1 ORDER BY 1`, [location])).map((r) => r.id);
}

describe('Syncing resource availability', () => {
  let linkId = 0;
  const practiceId = '3001';

  beforeAll(async () => {
    w.addPractice(practiceId);
    linkId = await w.link(practiceId, ['2']);
    await w.waitStatus(linkId, 'active');
    await waitFor('initial availability', async () => snapsAfter(practiceId, 0).length >= (await resourceIds('2')).length * HORIZON);
  });

  it('every resource x every day of the horizon is sent on linking, in batches of at most 100', async () => {
    const snaps = snapsAfter(practiceId, 0);
    const ids = await resourceIds('2');
    expect(new Set(snaps.map((s) => s.pmsResourceId))).toEqual(new Set(ids));
    expect(new Set(snaps.map((s) => s.date)).size).toBe(HORIZON);
    for (const c of w.posts(practiceId, '/availability/snapshots')) expect((c.body as unknown[]).length).toBeLessThanOrEqual(100);
    // ranges are practice-local HH:MM inside working hours, with the practitioner's slot length
    const some = snaps.find((s) => s.availability.length > 0)!;
    expect(some.availability[0]!.start).toMatch(/^\d\d:\d\d$/);
    expect(some.availability[0]!.slotLength).toBeGreaterThanOrEqual(600);
  });

  it('a non-Healthengine booking made at reception is pushed for that resource and date', async () => {
    const [slot] = await w.q<{ cal: string; date: string; starts_at: Date }>(`
      SELECT h.calendar_id AS cal, d::date::text AS date,
             ((d::date + h.start_time) AT TIME ZONE 'Australia/Sydney') AS starts_at
      FROM healthengine.pms_working_hours h, generate_series(current_date + 2, current_date + 8, interval '1 day') d
      WHERE h.location_id = '2' AND h.calendar_id LIKE 'prac-%' AND extract(dow FROM d) = h.weekday
        AND NOT EXISTS (SELECT 1 FROM healthengine.pms_busy b WHERE b.calendar_id = h.calendar_id
                        AND b.starts_at < ((d::date + h.start_time) AT TIME ZONE 'Australia/Sydney') + interval '15 minutes'
                        AND b.ends_at > ((d::date + h.start_time) AT TIME ZONE 'Australia/Sydney'))
        AND NOT EXISTS (SELECT 1 FROM healthengine.pms_calendar_exception x WHERE (x.calendar_id = h.calendar_id OR x.calendar_id IS NULL)
                        AND (x.location_id = '2' OR x.location_id IS NULL) AND d::date BETWEEN x.local_from AND x.local_to)
      ORDER BY 2, 1 LIMIT 1`);
    expect(slot).toBeDefined();
    const mark = w.lastSeq();
    const practitioner = Number(slot!.cal.replace('prac-', ''));
    await w.q(`INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, source)
               VALUES (2, $1, (SELECT min(patient_id) FROM pms.patient), $2, 15, 'reception')`, [practitioner, slot!.starts_at]);
    const snaps = await waitFor('availability push', () => { const s = snapsAfter(practiceId, mark); return s.length ? s : null; });
    expect(new Set(snaps.map((s) => s.date))).toEqual(new Set([slot!.date]));
    const time = new Date(slot!.starts_at).toLocaleTimeString('en-AU', { timeZone: 'Australia/Sydney', hour: '2-digit', minute: '2-digit', hour12: false });
    for (const s of snaps) {
      // the booked 15 minutes are no longer free
      expect(s.availability.some((r) => r.start <= time && r.end > time)).toBe(false);
    }
  });

  it('Scenario: Manual availability resync action by PMS user', async () => {
    const mark = w.lastSeq();
    const [req] = await w.q<{ request_id: number }>(`INSERT INTO healthengine.resync_request (scope, location_id) VALUES ('availability', '2') RETURNING request_id`);
    const row = await waitFor('resync done', async () => (await w.q<{ status: string; result: string }>(`SELECT status, result FROM healthengine.resync_request WHERE request_id = $1 AND done_at IS NOT NULL`, [req!.request_id]))[0]);
    expect(row.status).toBe('done');
    const ids = await resourceIds('2');
    expect(row.result).toContain(`availability sent: ${ids.length * HORIZON} snapshots`);
    const snaps = snapsAfter(practiceId, mark);
    expect(snaps.length).toBe(ids.length * HORIZON);
    expect(w.posts(practiceId, /^\/config\//).filter((c) => c.seq > mark)).toEqual([]);
  });

  it('Scenario: Sending availability after being temporarily disabled', async () => {
    await updateLink(w.h.db.pool, linkId, { enabled: false });
    await w.waitStatus(linkId, 'disabled');
    await sleep(500);
    const mark = w.lastSeq();
    await updateLink(w.h.db.pool, linkId, { enabled: true });
    await w.waitStatus(linkId, 'active');
    const ids = await resourceIds('2');
    const snaps = await waitFor('full availability', () => { const s = snapsAfter(practiceId, mark); return s.length >= ids.length * HORIZON ? s : null; });
    expect(new Set(snaps.map((s) => s.pmsResourceId))).toEqual(new Set(ids));
  });
});
