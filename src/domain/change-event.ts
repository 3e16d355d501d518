// The canonical change events adapter triggers write to healthengine.change_event,
// and the control-table rows, decoded into plain values whatever the source
// (pgoutput via the slot, or a SELECT in outbox-polling mode).

export type Origin = 'pms' | 'connector';

export interface ChangeEvent {
  eventId: number;
  origin: Origin;
  kind: 'availability' | 'config' | 'appointment_state';
  configKind: 'resources' | 'appointment_types' | 'liveness' | null;
  locationId: string | null;
  calendarId: string | null;
  atFrom: Date | null;
  atTo: Date | null;
  /** practice-local dates, YYYY-MM-DD, inclusive */
  localFrom: string | null;
  localTo: string | null;
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number | null;
  appointmentId: string | null;
  appointmentState: 'cancelled' | 'did_not_attend' | null;
}

export type ControlTable = 'practice_link' | 'resync_request' | 'liveness_hours';

export type RowChange =
  | { table: 'change_event'; event: ChangeEvent }
  /** userSave: a PMS user saved the row (updated_at moved), not a status write of the connector's */
  | { table: 'practice_link'; op: 'insert' | 'update' | 'delete'; linkId: number; userSave: boolean }
  | { table: 'resync_request'; op: 'insert' | 'update' | 'delete'; requestId: number }
  | { table: 'liveness_hours'; op: 'insert' | 'update' | 'delete'; linkIds: number[] };

type Raw = Record<string, unknown>;

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A date column arrives as a Date at local midnight (node-postgres' parser) or as text. */
export function toIsoDate(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${v.getFullYear()}-${p(v.getMonth() + 1)}-${p(v.getDate())}`;
  }
  return String(v).slice(0, 10);
}

function toInstant(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function decodeChangeEvent(r: Raw): ChangeEvent {
  return {
    eventId: num(r.event_id) ?? 0,
    origin: r.origin === 'connector' ? 'connector' : 'pms',
    kind: r.kind as ChangeEvent['kind'],
    configKind: (str(r.config_kind) as ChangeEvent['configKind']) ?? null,
    locationId: str(r.location_id),
    calendarId: str(r.calendar_id),
    atFrom: toInstant(r.at_from),
    atTo: toInstant(r.at_to),
    localFrom: toIsoDate(r.local_from),
    localTo: toIsoDate(r.local_to),
    weekday: num(r.weekday),
    appointmentId: str(r.appointment_id),
    appointmentState: (str(r.appointment_state) as ChangeEvent['appointmentState']) ?? null,
  };
}

/** A practice_link row change as pgoutput delivers it (old row complete: REPLICA IDENTITY FULL). */
export function decodeLinkChange(op: 'insert' | 'update' | 'delete', oldRow: Raw | null, newRow: Raw | null): RowChange {
  const stamp = (r: Raw | null) => (r?.updated_at instanceof Date ? r.updated_at.getTime() : String(r?.updated_at ?? ''));
  return {
    table: 'practice_link',
    op,
    linkId: num((newRow ?? oldRow)?.link_id) ?? 0,
    userSave: op !== 'update' || stamp(oldRow) !== stamp(newRow),
  };
}

/** Prefix of the adapter's change messages (sql/capture/wal-messages.sql). */
export const CHANGE_MESSAGE_PREFIX = 'healthengine.change';

export class ChangeMessageError extends Error {}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decoded (location_id, calendar_id) pairs by their bytes: a bulk statement
 * repeats a few diaries once per row, and a latin1 key plus a lookup costs
 * less than two validating UTF-8 decodes. Bounded; starts over when full.
 */
const DIARY_IDS = new Map<string, { locationId: string; calendarId: string }>();
const DIARY_IDS_MAX = 10_000;

/** A timestamptz_send value (big-endian microseconds since 2000-01-01 UTC) as Unix milliseconds, truncated. */
function msAt(b: Buffer, at: number): number {
  const micros = b.readInt32BE(at) * 4294967296 + b.readUInt32BE(at + 4);
  return PG_EPOCH_MS + Math.trunc(micros / 1000);
}

/** Shorter than any local day (23 h on a daylight-saving change), with room to spare. */
const HULL_MAX_MS = 12 * 3600_000;

/**
 * A capture helper's WAL message (binary, sql/capture/wal-messages.sql) as
 * ChangeEvents that plan the same keys as the outbox rows of outbox-poll mode.
 * A move within a diary (the range left and the range taken: two rows) is one
 * event over both when they span less than half a day: a hull shorter than
 * any local day touches at most the date it starts on and the date it ends
 * on, and one of the two ranges touches each, so it dirties the same local
 * dates, and a bulk reschedule costs one event per row. Two events
 * otherwise. Throws ChangeMessageError naming the field when the content is
 * not what the helpers write.
 */
export function decodeChangeMessage(content: Uint8Array): ChangeEvent | readonly [ChangeEvent, ChangeEvent] {
  const b = Buffer.isBuffer(content) ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const fail = (what: string): never => {
    throw new ChangeMessageError(`change message ${what} (content ${b.subarray(0, 64).toString('hex')}${b.length > 64 ? '...' : ''})`);
  };
  const text = (from: number, to: number, field: string): string => {
    if (to <= from) fail(`field ${field} is empty`);
    try {
      return UTF8.decode(b.subarray(from, to));
    } catch {
      return fail(`field ${field} is not UTF-8`);
    }
  };
  /** location_id 0x00 calendar_id, from byte `at` to the end */
  const diary = (at: number): { locationId: string; calendarId: string } => {
    const bytes = b.toString('latin1', at);
    let ids = DIARY_IDS.get(bytes);
    if (ids === undefined) {
      const sep = b.indexOf(0, at);
      if (sep < 0) fail('has no separator between location_id and calendar_id');
      ids = { locationId: text(at, sep, 'location_id'), calendarId: text(sep + 1, b.length, 'calendar_id') };
      if (DIARY_IDS.size >= DIARY_IDS_MAX) DIARY_IDS.clear();
      DIARY_IDS.set(bytes, ids);
    }
    return ids;
  };
  // availability carries no origin (nothing plans by it); 'pms' is what an outbox row of a PMS user's edit says
  const range = (origin: Origin, ids: { locationId: string; calendarId: string }, fromMs: number, toMs: number): ChangeEvent => ({
    eventId: 0, origin, kind: 'availability', configKind: null, locationId: ids.locationId, calendarId: ids.calendarId,
    atFrom: new Date(fromMs), atTo: new Date(toMs), localFrom: null, localTo: null, weekday: null, appointmentId: null, appointmentState: null,
  });
  const kind = b.length > 0 ? b[0]! : fail('is empty');
  switch (kind) {
    case 0x61: // 'a': at_from, at_to, diary
      if (b.length < 19) fail(`kind availability needs at least 19 bytes, got ${b.length}`);
      return range('pms', diary(17), msAt(b, 1), msAt(b, 9));
    case 0x6d: { // 'm': old_from, old_to, new_from, new_to, diary
      if (b.length < 35) fail(`kind availability (moved) needs at least 35 bytes, got ${b.length}`);
      const ids = diary(33);
      const leftFrom = msAt(b, 1), leftTo = msAt(b, 9), takenFrom = msAt(b, 17), takenTo = msAt(b, 25);
      const from = Math.min(leftFrom, takenFrom), to = Math.max(leftTo, takenTo);
      if (to - from < HULL_MAX_MS) return range('pms', ids, from, to);
      return [range('pms', ids, leftFrom, leftTo), range('pms', ids, takenFrom, takenTo)];
    }
    case 0x41: // 'A' (earlier installs): origin, at_from, at_to, diary
      if (b.length < 20) fail(`kind availability needs at least 20 bytes, got ${b.length}`);
      return range(originAt(b, fail), diary(18), msAt(b, 2), msAt(b, 10));
    case 0x53: { // 'S': origin, state, appointment_id
      const origin = originAt(b, fail);
      const state = b[2] === 0x43 ? 'cancelled' : b[2] === 0x44 ? 'did_not_attend' : fail(`field appointment_state must be 'C' or 'D', got ${b[2] === undefined ? 'nothing' : `0x${b[2].toString(16)}`}`);
      return {
        eventId: 0, origin, kind: 'appointment_state', configKind: null, locationId: null, calendarId: null,
        atFrom: null, atTo: null, localFrom: null, localTo: null, weekday: null, appointmentId: text(3, b.length, 'appointment_id'), appointmentState: state,
      };
    }
    default:
      return fail(`field kind must be 'a' or 'm' (availability) or 'S' (appointment_state), got 0x${kind.toString(16)}`);
  }
}

function originAt(b: Buffer, fail: (what: string) => never): Origin {
  return b[1] === 0x63 ? 'connector' : b[1] === 0x70 ? 'pms' : fail(`field origin must be 'p' or 'c', got ${b[1] === undefined ? 'nothing' : `0x${b[1].toString(16)}`}`);
}
