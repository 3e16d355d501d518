// Go-live checklist: "PMS account/location configuration synchronisation" and
// "Handling PMS resource edge cases".
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.ts';
import { getLink, updateLink } from '../../src/db/queries/practice-links.ts';
import { createWorld, sleep, waitFor, type World } from '../support/scenario-world.ts';

let w: World;
let n = 0;
const nextPractice = () => String(2000 + ++n);

beforeAll(async () => { w = await createWorld('config'); });
afterAll(async () => w?.stop());
afterEach(async () => { await w.q(`DELETE FROM healthengine.practice_link`); });

/** Links a new practice to the given locations and waits until it is active. */
async function linked(locations: string[]): Promise<{ practiceId: string; linkId: number }> {
  const practiceId = nextPractice();
  w.addPractice(practiceId);
  const linkId = await w.link(practiceId, locations);
  await w.waitStatus(linkId, 'active');
  return { practiceId, linkId };
}

const resourceNames = (practiceId: string) => (w.sandbox.admin.getPractice(practiceId).resources ?? []).map((r) => r.pmsResourceName).sort();
const typeNames = (practiceId: string) => (w.sandbox.admin.getPractice(practiceId).appointmentTypes ?? []).map((t) => t.pmsAppointmentTypeName).sort();

describe('PMS account/location configuration synchronisation', () => {
  it('Scenario: Initial configuration synchronisation', async () => {
    const { practiceId } = await linked(['1']);
    await waitFor('availability', () => Object.keys(w.sandbox.admin.getPractice(practiceId).availability).length > 0);
    const paths = w.posts(practiceId).map((c) => c.path);
    // liveness, resources, appointment types, in that order, before any availability
    expect(paths.slice(0, 3)).toEqual(['/config/livenessContract', '/config/pmsResources/snapshot', '/config/pmsAppointmentTypes/snapshot']);
    expect(paths.indexOf('/availability/snapshots')).toBeGreaterThan(2);
    const p = w.sandbox.admin.getPractice(practiceId);
    // liveness defaults to the clinic's opening hours (Subiaco: weekdays 08:00-18:00, Saturday 08:30-12:30)
    expect(p.liveness?.liveHours?.monday).toEqual([{ start: '08:00', end: '18:00' }]);
    expect(p.liveness?.liveHours?.saturday).toEqual([{ start: '08:30', end: '12:30' }]);
    expect(p.liveness?.liveHours?.sunday).toEqual([]);
    const expected = await w.q<{ id: string }>(`SELECT resource_id AS id FROM healthengine.pms_resource WHERE location_id = '1' ORDER BY 1`);
    expect(p.resources!.map((r) => r.pmsResourceId).sort()).toEqual(expected.map((r) => r.id));
    const types = await w.q<{ id: string }>(`SELECT appointment_type_id AS id FROM healthengine.pms_appointment_type WHERE location_id = '1' ORDER BY 1`);
    expect(p.appointmentTypes!.map((t) => t.pmsAppointmentTypeId).sort()).toEqual(types.map((t) => t.id));
  });

  it('Scenario: Updating liveness contract times in the PMS', async () => {
    const { practiceId, linkId } = await linked(['1']);
    const mark = w.lastSeq();
    // the clinic's opening hours change
    await w.q(`UPDATE pms.clinic_hours SET opens = '07:00' WHERE clinic_id = 1 AND weekday = 1`);
    const [first] = await w.waitPosts(practiceId, '/config/livenessContract', 1, mark);
    expect((first!.body as { liveHours: { monday: unknown } }).liveHours.monday).toEqual([{ start: '07:00', end: '18:00' }]);
    // a PMS user sets the link's own liveness hours, public holidays included
    const mark2 = w.lastSeq();
    await w.q(`INSERT INTO healthengine.liveness_hours (link_id, day, start_time, end_time) VALUES ($1, 'monday', '06:00', '20:00'), ($1, 'publicHolidays', '09:00', '12:00')`, [linkId]);
    const posted = await waitFor('own hours pushed', () => {
      const list = w.posts(practiceId, '/config/livenessContract').filter((c) => c.seq > mark2);
      const last = list[list.length - 1]?.body as { liveHours: Record<string, unknown> } | undefined;
      return last && JSON.stringify(last.liveHours.publicHolidays) === JSON.stringify([{ start: '09:00', end: '12:00' }]) ? last : null;
    });
    expect(posted.liveHours.monday).toEqual([{ start: '06:00', end: '20:00' }]);
    expect(w.sandbox.admin.getPractice(practiceId).liveness?.liveHours?.publicHolidays).toEqual([{ start: '09:00', end: '12:00' }]);
  });

  it('Scenario: Changes detected in PMS resource snapshot', async () => {
    const { practiceId } = await linked(['1']);
    // altered
    let mark = w.lastSeq();
    await w.q(`UPDATE pms.practitioner SET last_name = 'Nguyen-Smith' WHERE practitioner_id = 2`);
    await w.waitPosts(practiceId, '/config/pmsResources/snapshot', 1, mark);
    await waitFor('renamed', () => resourceNames(practiceId).some((x) => x.includes('Nguyen-Smith')));
    expect(resourceNames(practiceId).some((x) => x.includes('James Nguyen ('))).toBe(false);
    // removed: deactivated practitioners are simply missing from the next snapshot
    mark = w.lastSeq();
    await w.q(`UPDATE pms.practitioner SET active = false WHERE practitioner_id = 3`);
    await w.waitPosts(practiceId, '/config/pmsResources/snapshot', 1, mark);
    await waitFor('removed', () => !resourceNames(practiceId).some((x) => x.includes('Chloe Anderson')));
    // added: a new practitioner working at the clinic
    mark = w.lastSeq();
    await w.q(`WITH p AS (INSERT INTO pms.practitioner (title, first_name, last_name) VALUES ('Dr', 'Ada', 'Lovelace') RETURNING practitioner_id),
               s AS (INSERT INTO pms.practitioner_specialty (practitioner_id, specialty_id) SELECT practitioner_id, 1 FROM p)
               INSERT INTO pms.practitioner_clinic (practitioner_id, clinic_id) SELECT practitioner_id, 1 FROM p`);
    await w.waitPosts(practiceId, '/config/pmsResources/snapshot', 1, mark);
    await waitFor('added', () => resourceNames(practiceId).some((x) => x.includes('Ada Lovelace')));
  });

  it('Scenario: Changes detected in PMS appointment type snapshot', async () => {
    const { practiceId } = await linked(['2']);
    let mark = w.lastSeq();
    // altered
    await w.q(`UPDATE pms.appointment_type SET name = 'Extended Consultation', duration_minutes = 40 WHERE appointment_type_id = 2`);
    await w.waitPosts(practiceId, '/config/pmsAppointmentTypes/snapshot', 1, mark);
    await waitFor('altered', () => (w.sandbox.admin.getPractice(practiceId).appointmentTypes ?? []).some((t) => t.pmsAppointmentTypeName === 'Extended Consultation' && t.pmsAppointmentLength === 40));
    // removed (no longer bookable online)
    mark = w.lastSeq();
    await w.q(`UPDATE pms.appointment_type SET online_bookable = false WHERE appointment_type_id = 14`);
    await w.waitPosts(practiceId, '/config/pmsAppointmentTypes/snapshot', 1, mark);
    await waitFor('removed', () => !typeNames(practiceId).includes('Travel Vaccination Consult'));
    // added
    mark = w.lastSeq();
    await w.q(`INSERT INTO pms.appointment_type (name, duration_minutes, online_bookable, clinic_id) VALUES ('Mental Health Plan', 45, true, 2)`);
    await w.waitPosts(practiceId, '/config/pmsAppointmentTypes/snapshot', 1, mark);
    await waitFor('added', () => typeNames(practiceId).includes('Mental Health Plan'));
  });

  it('Scenario: Manual configuration resync action by PMS user', async () => {
    const { practiceId, linkId } = await linked(['1']);
    // by a row in the control table
    let mark = w.lastSeq();
    const [req] = await w.q<{ request_id: number }>(`INSERT INTO healthengine.resync_request (scope, link_id, requested_by) VALUES ('config', $1, 'reception') RETURNING request_id`, [linkId]);
    await w.waitPosts(practiceId, '/config/pmsAppointmentTypes/snapshot', 1, mark);
    const row = await waitFor('resync done', async () => (await w.q<{ status: string; result: string; done_at: Date }>(`SELECT status, result, done_at FROM healthengine.resync_request WHERE request_id = $1 AND done_at IS NOT NULL`, [req!.request_id]))[0]);
    expect(row.status).toBe('done');
    expect(row.result).toContain(`practice ${practiceId}`);
    expect(row.result).toContain('configuration sent');
    expect(w.posts(practiceId, /^\/config\//).filter((c) => c.seq > mark).map((c) => c.path)).toEqual(['/config/livenessContract', '/config/pmsResources/snapshot', '/config/pmsAppointmentTypes/snapshot']);
    // and by the CLI, by location
    mark = w.lastSeq();
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = w.h.db.url;
    try {
      await buildCli().parseAsync(['node', 'he-connector', 'resync', '--scope', 'config', '--location', '1']);
    } finally {
      process.env.DATABASE_URL = saved;
    }
    await w.waitPosts(practiceId, '/config/pmsAppointmentTypes/snapshot', 1, mark);
    await waitFor('cli resync done', async () => (await w.q(`SELECT 1 FROM healthengine.resync_request WHERE location_id = '1' AND status = 'done'`)).length === 1);
  });

  it('Scenario: Sending configuration after being temporarily disabled', async () => {
    const { practiceId, linkId } = await linked(['3']);
    await waitFor('first availability', () => Object.keys(w.sandbox.admin.getPractice(practiceId).availability).length > 0);
    await updateLink(w.h.db.pool, linkId, { enabled: false });
    await w.waitStatus(linkId, 'disabled');
    await waitFor('disabled message', async () => (await getLink(w.h.db.pool, linkId))?.statusMessage?.includes('Disabled in the PMS'));
    const mark = w.lastSeq();
    // PMS changes while disabled reach nobody
    await w.q(`UPDATE pms.practitioner SET first_name = 'Tom' WHERE practitioner_id = 7`);
    await w.q(`UPDATE pms.roster SET end_time = end_time - interval '30 minutes' WHERE clinic_id = 3`);
    await sleep(2000);
    expect(w.sandbox.admin.calls({ practiceId }).filter((c) => c.seq > mark)).toEqual([]);
    // re-enabled: configuration, then availability, then a look for outstanding requests
    await updateLink(w.h.db.pool, linkId, { enabled: true });
    await w.waitStatus(linkId, 'active');
    await waitFor('requests checked', () => w.sandbox.admin.calls({ practiceId, method: 'GET', path: '/requests' }).some((c) => c.seq > mark));
    await w.waitPosts(practiceId, '/availability/snapshots', 1, mark);
    const after = w.sandbox.admin.calls({ practiceId }).filter((c) => c.seq > mark).map((c) => `${c.method} ${c.path}`);
    expect(after.slice(0, 3)).toEqual(['POST /config/livenessContract', 'POST /config/pmsResources/snapshot', 'POST /config/pmsAppointmentTypes/snapshot']);
    expect(resourceNames(practiceId).some((x) => x.includes('Dr Tom Walker'))).toBe(true);
  });
});

describe('PMS records that break the snapshot rules', () => {
  it('an appointment type without a length is reported in the link status by name; the rest goes through', async () => {
    const { practiceId, linkId } = await linked(['2']);
    const mark = w.lastSeq();
    const [t] = await w.q<{ id: number }>(`INSERT INTO pms.appointment_type (name, duration_minutes, online_bookable, clinic_id) VALUES ('Care Plan Review', NULL, true, 2) RETURNING appointment_type_id AS id`);
    await w.waitPosts(practiceId, '/config/pmsAppointmentTypes/snapshot', 1, mark);
    const link = await waitFor('problem reported', async () => {
      const l = await getLink(w.h.db.pool, linkId);
      return l?.statusMessage?.includes('Care Plan Review') ? l : null;
    });
    expect(link.status).toBe('active');
    expect(link.statusMessage).toContain(`appointment type '${t!.id}' (Care Plan Review) has no valid length in minutes`);
    const types = w.sandbox.admin.getPractice(practiceId).appointmentTypes!;
    expect(types.find((x) => x.pmsAppointmentTypeName === 'Care Plan Review')?.pmsAppointmentLength).toBeUndefined();
    expect(types.find((x) => x.pmsAppointmentTypeName === 'Standard Consultation')?.pmsAppointmentLength).toBe(15);
    await w.q(`DELETE FROM pms.appointment_type WHERE appointment_type_id = $1`, [t!.id]);
  });
});

describe('Handling PMS resource edge cases', () => {
  it('Scenario: Managing PMS practitioners with multiple specialties', async () => {
    const { practiceId } = await linked(['1']);
    const p = w.sandbox.admin.getPractice(practiceId);
    const sarah = p.resources!.filter((r) => r.pmsPractitionerLastname === 'Mitchell');
    // one resource per practitioner x specialty, unique ids and names
    expect(sarah.map((r) => r.pmsResourceName).sort()).toEqual(['Dr Sarah Mitchell (General Practice)', 'Dr Sarah Mitchell (Skin Checks)']);
    expect(new Set(p.resources!.map((r) => r.pmsResourceId)).size).toBe(p.resources!.length);
    expect(new Set(p.resources!.map((r) => r.pmsResourceName.toLowerCase())).size).toBe(p.resources!.length);
    // appointment types restricted to one resource carry it; ids unique
    const skin = p.appointmentTypes!.find((t) => t.pmsAppointmentTypeName === 'Skin Check');
    expect(skin?.pmsResourceId).toBe(sarah.find((r) => r.pmsResourceName.includes('Skin'))!.pmsResourceId);
    expect(new Set(p.appointmentTypes!.map((t) => t.pmsAppointmentTypeId)).size).toBe(p.appointmentTypes!.length);
    // ids are stable across runs and restarts
    const idsBefore = p.resources!.map((r) => r.pmsResourceId).sort();
    for (const c of w.h.connectors.splice(0)) await c.stop();
    await w.h.startConnector();
    const mark = w.lastSeq();
    await w.q(`INSERT INTO healthengine.resync_request (scope) VALUES ('config')`);
    await w.waitPosts(practiceId, '/config/pmsResources/snapshot', 1, mark);
    expect(w.sandbox.admin.getPractice(practiceId).resources!.map((r) => r.pmsResourceId).sort()).toEqual(idsBefore);
  });
});
