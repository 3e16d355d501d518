// Practice-local calendar days from instants, fast enough for the planner's
// hot path (a bulk statement reaches it as one event per changed row).
// A day is an integer: days since 1970-01-01 on the local calendar. A zone's
// UTC offset is looked up once per 15-minute bucket of UTC time and
// remembered: every real zone changes offset only on such a boundary, so the
// offset is constant inside a bucket. Day arithmetic is integer arithmetic,
// no zone involved; ISO strings (YYYY-MM-DD) only at the edges.
import { DateTime } from 'luxon';

const DAY_MS = 86_400_000;
const BUCKET_MS = 15 * 60_000;
const MAX_CACHED = 100_000;
const offsetsByZone = new Map<string, Map<number, number | null>>();
const isoByDay = new Map<number, string>();

function remember<K, V>(m: Map<K, V>, k: K, v: V): V {
  if (m.size >= MAX_CACHED) m.clear();
  m.set(k, v);
  return v;
}

/** Offset of `zone` from UTC at `ms`, in ms; null for an unknown zone. */
function offsetAt(zone: string, ms: number): number | null {
  const bucket = Math.floor(ms / BUCKET_MS);
  let offsets = offsetsByZone.get(zone);
  if (!offsets) offsetsByZone.set(zone, (offsets = new Map()));
  const off = offsets.get(bucket);
  if (off !== undefined) return off;
  const dt = DateTime.fromMillis(bucket * BUCKET_MS, { zone });
  return remember(offsets, bucket, dt.isValid ? dt.offset * 60_000 : null);
}

/** The local day in `zone` of the instant `ms`; null for an unknown zone. */
export function localDayOf(zone: string, ms: number): number | null {
  const off = offsetAt(zone, ms);
  return off === null ? null : Math.floor((ms + off) / DAY_MS);
}

export function dayToIso(day: number): string {
  return isoByDay.get(day) ?? remember(isoByDay, day, new Date(day * DAY_MS).toISOString().slice(0, 10));
}

/** The day of a real calendar date written YYYY-MM-DD; null for anything else. */
export function isoToDay(iso: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const day = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
  return dayToIso(day) === iso ? day : null;
}

/** 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}
