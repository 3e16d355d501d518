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
