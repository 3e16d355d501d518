// The thin path end to end: a practice link inserted into the control table is
// seen through logical replication, becomes a pg-boss job, and the connector
// pushes the liveness contract, resources and appointment types over HTTP to
// the Healthengine sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLink, getLink } from '../../src/db/queries/practice-links.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { createHarness, TEST_API_KEY, waitFor, type Harness } from '../support/connector-harness.ts';

let sandbox: Sandbox;
let h: Harness;

beforeAll(async () => {
  sandbox = await createSandbox({ apiKey: TEST_API_KEY, practices: [{ practiceId: '1001', practiceKey: 'key-1001', consent: 'granted' }] });
  h = await createHarness('skeleton', sandbox.url);
  await h.startConnector();
});
afterAll(async () => {
  await h?.stop();
  await sandbox?.close();
});

describe('walking skeleton', () => {
  it('a link row becomes a configuration push through slot, planner and pg-boss', async () => {
    const linkId = await insertLink(h.db.pool, { practiceId: '1001', practiceKey: 'key-1001', locationIds: ['1'] });
    const practice = await waitFor('config at the sandbox', () => {
      const p = sandbox.admin.getPractice('1001');
      return p.liveness && p.resources && p.appointmentTypes ? p : null;
    });
    expect(practice.resources!.length).toBeGreaterThan(0);
    expect(practice.appointmentTypes!.length).toBeGreaterThan(0);
    const order = sandbox.admin.calls({ practiceId: '1001' }).filter((c) => c.method === 'POST').map((c) => c.path);
    expect(order.slice(0, 3)).toEqual(['/config/livenessContract', '/config/pmsResources/snapshot', '/config/pmsAppointmentTypes/snapshot']);
    const link = await waitFor('link active', async () => {
      const l = await getLink(h.db.pool, linkId);
      return l?.status === 'active' ? l : null;
    });
    expect(link.lastConfigPushAt).not.toBeNull();
    // the slot moved past the link's transaction: nothing is left to replay
    const slot = await h.db.pool.query(`SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1`, [h.config.CONNECTOR_SLOT_NAME]);
    expect(slot.rows[0].confirmed_flush_lsn).not.toBeNull();
    // secrets never reach the sandbox's call log unmasked
    for (const c of sandbox.admin.calls()) {
      expect(c.headers['practice-key']).toBe('***');
      expect(c.headers['api-key']).toBe('***');
      expect(c.headers['user-agent']).toBe('Test PMS (integrations@example.com) DEV');
    }
  });
});
