// Go-live checklist: "Linking a PMS account to one or more Healthengine practices".
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.ts';
import { getLink, listLinks, updateLink } from '../../src/db/queries/practice-links.ts';
import { QUEUES } from '../../src/domain/jobs.ts';
import { createWorld, sleep, waitFor, type World } from '../support/scenario-world.ts';

let w: World;
beforeAll(async () => { w = await createWorld('linking', { CONNECTOR_DEBOUNCE_SECONDS: 1 }); });
afterAll(async () => w?.stop());
afterEach(async () => unlinkAll());

async function unlinkAll(): Promise<void> {
  await w.q(`DELETE FROM healthengine.practice_link`);
}

async function resourcesOf(locationIds: string[]): Promise<string[]> {
  const rows = await w.q<{ id: string }>(`SELECT DISTINCT resource_id AS id FROM healthengine.pms_resource WHERE location_id = ANY($1) ORDER BY 1`, [locationIds]);
  return rows.map((r) => r.id);
}

describe('Linking a PMS account to one or more Healthengine practices', () => {
  it('Scenario: Linking the PMS account with a Healthengine practice (control-table row)', async () => {
    w.addPractice('1101');
    const linkId = await w.link('1101', ['1']);
    await w.waitPosts('1101', '/config/livenessContract', 1);
    const link = await w.waitStatus(linkId, 'active');
    expect(link.statusMessage).toBeNull();
  });

  it('Scenario: Linking the PMS account with a Healthengine practice (CLI)', async () => {
    w.addPractice('1102');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = w.h.db.url;
    process.env.HE_PRACTICE_KEY = 'key-1102';
    try {
      await buildCli().parseAsync(['node', 'he-connector', 'link', 'add', '--practice-id', '1102', '--locations', '2,3', '--label', 'Sydney clinics']);
    } finally {
      process.env.DATABASE_URL = saved;
      delete process.env.HE_PRACTICE_KEY;
    }
    const [link] = await listLinks(w.h.db.pool);
    expect(link!.practiceId).toBe('1102');
    expect(link!.locationIds).toEqual(['2', '3']);
    await w.waitPosts('1102', '/config/pmsAppointmentTypes/snapshot', 1);
    await w.waitStatus(link!.linkId, 'active');
  });

  it('Scenario: Practice provides Healthengine practice ID and practice key without consent or for a revoked consent', async () => {
    w.addPractice('1201', 'never');
    w.addPractice('1202', 'revoked');
    const never = await w.link('1201', ['1']);
    const revoked = await w.link('1202', ['2']);
    for (const id of [never, revoked]) {
      const l = await w.waitStatus(id, 'consent_required');
      expect(l.statusMessage).toContain('Grant consent to Test PMS in Healthengine Practice Admin');
      expect(l.statusMessage).toContain('re-save this link');
    }
    // the PMS keeps changing; nothing more is sent for these links, no hammering
    const before = w.sandbox.admin.calls({ practiceId: '1201' }).length + w.sandbox.admin.calls({ practiceId: '1202' }).length;
    await w.q(`UPDATE pms.practitioner SET first_name = first_name || '' WHERE true`);
    await w.q(`UPDATE pms.clinic_hours SET closes = closes WHERE true`);
    await sleep(2500);
    const after = w.sandbox.admin.calls({ practiceId: '1201' }).length + w.sandbox.admin.calls({ practiceId: '1202' }).length;
    expect(after).toBe(before);
    expect(before).toBe(2); // one refused liveness push each
    // once consent is granted, a re-save proceeds
    w.sandbox.admin.setConsent('1201', 'granted');
    await updateLink(w.h.db.pool, never, { label: 'consent granted' });
    await w.waitStatus(never, 'active');
    expect(w.sandbox.admin.getPractice('1201').resources?.length).toBeGreaterThan(0);
    // a resync request works as well
    w.sandbox.admin.setConsent('1202', 'granted');
    await w.q(`INSERT INTO healthengine.resync_request (scope, link_id) VALUES ('config', $1)`, [revoked]);
    await w.waitStatus(revoked, 'active');
  });

  it('a 401 (wrong key) is a different status and message, aimed at the vendor', async () => {
    w.addPractice('1203', 'granted', 'the-right-key');
    const id = await w.link('1203', ['1'], 'a-wrong-key');
    const l = await w.waitStatus(id, 'unauthorized');
    expect(l.statusMessage).toContain('(401)');
    expect(l.statusMessage).toContain('HEALTHENGINE_API_KEY');
    expect(l.statusMessage).not.toContain('a-wrong-key');
  });

  it('Scenario: Integration of PMS Account with multi-location support', async () => {
    w.addPractice('1301');
    w.addPractice('1302');
    const perth = await w.link('1301', ['1']);
    const sydney = await w.link('1302', ['2', '3']);
    await w.waitStatus(perth, 'active');
    await w.waitStatus(sydney, 'active');
    const p1 = w.sandbox.admin.getPractice('1301');
    const p2 = w.sandbox.admin.getPractice('1302');
    expect(p1.resources!.map((r) => r.pmsResourceId).sort()).toEqual(await resourcesOf(['1']));
    expect(p2.resources!.map((r) => r.pmsResourceId).sort()).toEqual(await resourcesOf(['2', '3']));
    // availability too: each practice only hears about its own resources
    await waitFor('availability for both', () => Object.keys(w.sandbox.admin.getPractice('1301').availability).length > 0 && Object.keys(w.sandbox.admin.getPractice('1302').availability).length > 0);
    const perthIds = new Set(await resourcesOf(['1']));
    for (const id of Object.keys(w.sandbox.admin.getPractice('1301').availability)) expect(perthIds.has(id)).toBe(true);
    for (const id of Object.keys(w.sandbox.admin.getPractice('1302').availability)) expect(perthIds.has(id) && !(await resourcesOf(['2', '3'])).includes(id)).toBe(false);
  });

  it('Scenario: Updating a Healthengine practice ID for a PMS account or location', async () => {
    w.addPractice('1401');
    w.addPractice('1402');
    const id = await w.link('1401', ['1']);
    await w.waitStatus(id, 'active');
    await waitFor('first availability', () => Object.keys(w.sandbox.admin.getPractice('1401').availability).length > 0);
    // queue work for the old practice: roster edits, debounced so the jobs are still waiting
    await w.q(`UPDATE pms.roster SET end_time = end_time - interval '15 minutes' WHERE clinic_id = 1`);
    await waitFor('queued availability jobs', async () => (await w.q<{ n: number }>(
      `SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1 AND state = 'created'`, [QUEUES.availabilityPush]))[0]!.n > 0);
    const mark = w.lastSeq();
    await w.q(`UPDATE healthengine.practice_link SET he_practice_id = '1402', he_practice_key = 'key-1402' WHERE link_id = $1`, [id]);
    await w.waitPosts('1402', '/config/pmsAppointmentTypes/snapshot', 1);
    await waitFor('availability at the new practice', () => Object.keys(w.sandbox.admin.getPractice('1402').availability).length > 0);
    await sleep(2000); // the old practice's queued jobs have come due by now
    expect(w.sandbox.admin.calls({ practiceId: '1401' }).filter((c) => c.seq > mark)).toEqual([]);
    const link = await getLink(w.h.db.pool, id);
    expect(link!.generation).toBe(2);
    expect(link!.status).toBe('active');
  });

  it('bad input in the control tables: the row says why, nothing is sent, the connector keeps running', async () => {
    w.addPractice('1501');
    const mark = w.lastSeq();
    const bad = [
      await w.link('15x1', ['1']),
      await w.link('1501', ['1'], ''),
      await w.link('1501', ['99']),
    ];
    const msgs = [];
    for (const id of bad) msgs.push((await w.waitStatus(id, 'invalid')).statusMessage!);
    expect(msgs[0]).toContain("he_practice_id '15x1'");
    expect(msgs[1]).toContain('he_practice_key is empty');
    expect(msgs[2]).toContain("location_ids contains '99'");
    const good = await w.link('1501', ['2']);
    await w.waitStatus(good, 'active');
    const clash = await w.link('1501', ['2']);
    expect((await w.waitStatus(clash, 'invalid')).statusMessage).toContain(`already linked by link ${good}`);
    const r = await w.q<{ request_id: number }>(`INSERT INTO healthengine.resync_request (scope, link_id) VALUES ('all', 424242) RETURNING request_id`);
    const done = await waitFor('resync failed', async () => (await w.q<{ status: string; result: string }>(`SELECT status, result FROM healthengine.resync_request WHERE request_id = $1 AND done_at IS NOT NULL`, [r[0]!.request_id]))[0]);
    expect(done.status).toBe('failed');
    expect(done.result).toContain('link_id 424242 does not exist');
    // only the good link ever reached Healthengine
    expect(new Set(w.sandbox.admin.calls().filter((c) => c.seq > mark).map((c) => c.practiceId))).toEqual(new Set(['1501']));
    expect(w.sandbox.admin.calls().filter((c) => c.seq > mark && c.practiceId === '15x1')).toEqual([]);
  });
});
