// The two capture-helper installs carry the same events: the adapter's
// row-level triggers call healthengine.capture_*; in outbox-poll mode those
// insert change_event rows, in replication mode they emit transactional WAL
// messages. Here the same PMS edits run under both, and the events the
// connector would decode from each (decodeChangeEvent for rows,
// decodeChangeMessage for messages read back through pgoutput) must be equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { installCaptureHelpers } from '../../src/db/install.ts';
import { CHANGE_MESSAGE_PREFIX, decodeChangeEvent, decodeChangeMessage, type ChangeEvent } from '../../src/domain/change-event.ts';
import type { TestDatabase } from '../support/pg.ts';
import { at, createAdapterDatabase, plusDays, SYDNEY, workingDate } from './adapter-db.ts';

let db: TestDatabase;
let edits: string[];
const SLOT = 'capture_modes_test';

beforeAll(async () => {
  db = await createAdapterDatabase('adapter_capture_modes');
  const D = await workingDate(db.pool, { locationId: '3', calendarId: 'prac-7', zone: SYDNEY, minDays: 21, weekdays: [1, 2, 3, 4] });
  const ins = `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, appointment_type_id, starts_at, duration_minutes, source, external_ref)
               VALUES (3, 7, 30, 1, $1, 15, $2, $3) RETURNING appointment_id::text AS id`;
  const a = (await db.pool.query(ins, [at(D, '10:00'), 'reception', null])).rows[0].id;
  const h = (await db.pool.query(ins, [at(D, '11:00'), 'healthengine', '900001'])).rows[0].id;
  edits = [
    `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (3, 7, 30, '${at(D, '14:00')}', 30)`,
    `UPDATE pms.appointment SET starts_at = '${at(D, '14:30')}' WHERE appointment_id = ${a}`,
    `UPDATE pms.appointment SET starts_at = '${at(plusDays(D, 1), '09:00')}' WHERE appointment_id = ${a}`,
    `SET LOCAL healthengine.origin = 'connector'`,
    `UPDATE pms.appointment SET status = 'cancelled' WHERE appointment_id = ${h}`,
    `INSERT INTO pms.diary_block (clinic_id, practitioner_id, starts_at, duration_minutes) VALUES (3, 7, '${at(D, '16:00')}', 45)`,
  ];
});
afterAll(async () => {
  await db?.pool.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [SLOT]).catch(() => {});
  await db?.drop();
});

// availability messages carry no origin (nothing plans availability by it); outbox rows stamp every row
const comparable = (e: ChangeEvent) => ({ ...e, eventId: 0, origin: e.kind === 'availability' ? null : e.origin });
const decoded = (content: Uint8Array): ChangeEvent[] => {
  const d = decodeChangeMessage(content);
  return Array.isArray(d) ? [...d as readonly ChangeEvent[]] : [d as ChangeEvent];
};

/** pgoutput's logical decoding message ('M', protocol 1): flags, LSN, prefix, content. */
function pgoutputMessage(data: Buffer): { prefix: string; transactional: boolean; content: Buffer } | null {
  if (data[0] !== 0x4d) return null;
  const end = data.indexOf(0, 10);
  const length = data.readInt32BE(end + 1);
  return {
    transactional: (data[1]! & 1) === 1,
    prefix: data.toString('utf8', 10, end),
    content: data.subarray(end + 5, end + 5 + length),
  };
}

async function run(c: pg.ClientBase, commit: boolean): Promise<void> {
  await c.query('BEGIN');
  // decoding reads only flushed WAL; the test server runs synchronous_commit=off
  await c.query('SET LOCAL synchronous_commit = on');
  for (const s of edits) await c.query(s);
  await c.query(commit ? 'COMMIT' : 'ROLLBACK');
}

describe('capture helpers', () => {
  it('WAL messages (replication mode) decode to exactly the events of the outbox rows (outbox-poll mode)', async () => {
    const c = await db.pool.connect();
    try {
      // outbox rows, read inside the transaction, then rolled back
      await c.query('BEGIN');
      const mark = Number((await c.query(`SELECT coalesce(max(event_id), 0) AS m FROM healthengine.change_event`)).rows[0].m);
      for (const s of edits) await c.query(s);
      const rows = (await c.query(`SELECT * FROM healthengine.change_event WHERE event_id > $1 ORDER BY event_id`, [mark])).rows;
      await c.query('ROLLBACK');
      const rowEvents = rows.map((r) => decodeChangeEvent(r));
      const fromRows = rowEvents.map(comparable);
      // insert; move within the day (the range left and the range taken); move to the next day (two); cancel (range + state); block
      expect(fromRows).toHaveLength(8);
      expect(rowEvents.filter((e) => e.origin === 'connector')).toHaveLength(3);

      // the same edits, committed, with the WAL-message helpers
      await installCaptureHelpers(c, false);
      await c.query(`CREATE PUBLICATION capture_modes_test`);
      await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [SLOT]);
      await run(c, false); // a rolled-back transaction's messages are never decoded
      await run(c, true);
      const changes = (await c.query(
        `SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL, 'proto_version', '1', 'publication_names', 'capture_modes_test', 'messages', 'true')`,
        [SLOT])).rows.map((r) => pgoutputMessage(r.data as Buffer)).filter((m) => m !== null);
      expect(changes.every((m) => m.prefix === CHANGE_MESSAGE_PREFIX && m.transactional)).toBe(true);
      // the moves are one message each in replication mode
      expect(changes).toHaveLength(6);
      const fromMessages = changes.flatMap((m) => decoded(m.content)).map(comparable);
      // the move within the day is one range over both rows (the same local dates); the move to the next day stays two
      const [inserted, left, taken, ...rest] = fromRows;
      expect(fromMessages).toEqual([inserted, { ...taken, atFrom: left!.atFrom, atTo: taken!.atTo }, ...rest]);
      // and nothing was written to the outbox
      expect(Number((await c.query(`SELECT coalesce(max(event_id), 0) AS m FROM healthengine.change_event`)).rows[0].m)).toBe(mark);
    } finally {
      c.release();
    }
  });

  it('a malformed message is refused naming the field and value', () => {
    const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');
    const t = '0002e0f1c5a1a000'; // an instant
    const u = '0002e0f1c6000000'; // a later one
    expect(() => decodeChangeMessage(hex(''))).toThrow(/is empty/);
    expect(() => decodeChangeMessage(hex('5a70'))).toThrow(/field kind must be 'a' or 'm' \(availability\) or 'S' \(appointment_state\), got 0x5a/);
    expect(() => decodeChangeMessage(hex(`61 ${t}`))).toThrow(/availability needs at least 19 bytes, got 9/);
    expect(() => decodeChangeMessage(hex(`6d ${t} ${t} ${t}`))).toThrow(/availability \(moved\) needs at least 35 bytes, got 25/);
    expect(() => decodeChangeMessage(hex(`61 ${t} ${t} 3131`))).toThrow(/no separator between location_id and calendar_id/);
    expect(() => decodeChangeMessage(hex(`61 ${t} ${t} 00 31`))).toThrow(/field location_id is empty/);
    expect(() => decodeChangeMessage(hex(`6d ${t} ${t} ${t} ${t} 31 00`))).toThrow(/field calendar_id is empty/);
    expect(() => decodeChangeMessage(hex(`61 ${t} ${t} 31 00 ff`))).toThrow(/field calendar_id is not UTF-8/);
    expect(() => decodeChangeMessage(hex('5378 43 3132'))).toThrow(/field origin must be 'p' or 'c', got 0x78/);
    expect(() => decodeChangeMessage(hex('5370 58 3132'))).toThrow(/field appointment_state must be 'C' or 'D', got 0x58/);
    expect(() => decodeChangeMessage(hex('5370 43'))).toThrow(/field appointment_id is empty/);
    const ok = decoded(hex(`61 ${t} ${u} 33 00 707261632d37`));
    expect(ok).toEqual([expect.objectContaining({ kind: 'availability', locationId: '3', calendarId: 'prac-7' })]);
    expect(ok[0]!.atFrom!.getTime()).toBe(Date.UTC(2000, 0, 1) + Number(BigInt(`0x${t}`) / 1000n));
    expect(ok[0]!.atTo!.getTime()).toBe(Date.UTC(2000, 0, 1) + Number(BigInt(`0x${u}`) / 1000n));
    // a move: the range left and the range taken, in one diary (tests/unit/planner.test.ts covers when they stay two)
    expect(decoded(hex(`6d ${t} ${u} ${t} ${u} 33 00 707261632d37`))).toEqual(ok);
    // what earlier installs wrote ('A', with an origin byte) still decodes, so a slot holding it drains after an upgrade
    expect(decoded(hex(`4163 ${t} ${u} 33 00 707261632d37`))).toEqual([{ ...ok[0], origin: 'connector' }]);
    expect(() => decodeChangeMessage(hex(`4178 ${t} ${u} 33 00 31`))).toThrow(/field origin must be 'p' or 'c', got 0x78/);
    expect(() => decodeChangeMessage(hex(`4170 ${t}`))).toThrow(/availability needs at least 20 bytes, got 10/);
    // ids are remembered by their bytes: the same bytes decode alike, bad ones fail every time
    const again = decoded(new Uint8Array(hex(`61 ${t} ${u} 33 00 707261632d37`)));
    expect(again).toEqual(ok);
    for (let i = 0; i < 2; i++) expect(() => decodeChangeMessage(hex(`61 ${t} ${t} 31 00 ff`))).toThrow(/field calendar_id is not UTF-8/);
    // an instant before 2000 (negative microseconds) truncates toward zero, as the integer division did
    const before2000 = -1_234_567_891n;
    const neg = Buffer.alloc(8);
    neg.writeBigInt64BE(before2000);
    const old = decoded(hex(`61 ${neg.toString('hex')} ${t} 33 00 31`));
    expect(old[0]!.atFrom!.getTime()).toBe(Date.UTC(2000, 0, 1) + Number(before2000 / 1000n));
  });
});
