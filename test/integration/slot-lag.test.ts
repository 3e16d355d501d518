// How far behind the stream is, for status and the logs: every change not
// yet confirmed was committed after the confirmed position was written, so
// the time that position was written bounds the age of the oldest one. It
// must cover the hot tables' changes, which are WAL messages, not outbox rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus, statusReport } from '../../src/cli/status.ts';
import { insertLink } from '../../src/db/queries/practice-links.ts';
import { createHarness, waitFor, type Harness } from '../support/connector-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('slot_lag', 'http://127.0.0.1:9/pms-api/v1', { CONNECTOR_HEARTBEAT_SECONDS: 1 });
  await insertLink(h.db.pool, { practiceId: '7301', practiceKey: 'key-7301', locationIds: ['1'] });
});
afterAll(async () => h?.stop());

const report = () => statusReport(h.db.pool, h.config.CONNECTOR_SLOT_NAME, h.config.CONNECTOR_JOB_SCHEMA);
const ageSeconds = (d: Date | null) => (d ? (Date.now() - d.getTime()) / 1000 : Infinity);
/** a reception desk moving a future appointment: a WAL message, no outbox row */
const moveAnAppointment = () => h.db.pool.query(
  `UPDATE pms.appointment SET starts_at = starts_at + interval '5 minutes'
    WHERE appointment_id = (SELECT min(appointment_id) FROM pms.appointment WHERE starts_at > now() + interval '1 day' AND status = 'booked')`,
);
const pendingOutboxRows = async () => (await h.db.pool.query(`SELECT count(*)::int AS n FROM healthengine.change_event WHERE kind <> 'control'`)).rows[0].n as number;

describe('the age of the oldest unconfirmed change', () => {
  it('stays within a few seconds while the connector keeps up, grows while a WAL-message change waits for a stopped one, and recovers', async () => {
    let c = await h.startConnector({}, { workers: false });
    await waitFor('a confirmed position recorded, a few seconds old at most', async () => ageSeconds((await report()).slot.oldestPendingEventAt) < 3);

    await c.stop();
    await moveAnAppointment();
    expect(await pendingOutboxRows()).toBe(0);
    await new Promise((r) => setTimeout(r, 4_000));
    const behind = await report();
    expect(ageSeconds(behind.slot.oldestPendingEventAt)).toBeGreaterThanOrEqual(4);
    const shown = /oldest unacknowledged change at most (\d+)s old/.exec(formatStatus(behind));
    expect(Number(shown?.[1])).toBeGreaterThanOrEqual(4);

    c = await h.startConnector({}, { workers: false });
    await waitFor('caught up again', async () => ageSeconds((await report()).slot.oldestPendingEventAt) < 3, 20_000);
  });
});
