// Availability arithmetic, pure: working ranges of a practice-local day minus
// exceptions and busy intervals, in minutes from local midnight.
import { DateTime } from 'luxon';

export interface MinuteRange { start: number; end: number }

export interface WorkingHours { weekday: number; startTime: string; endTime: string; effectiveFrom: string | null; effectiveTo: string | null }
export interface CalendarException { localFrom: string; localTo: string; startTime: string | null; endTime: string | null }
export interface BusyInterval { startsAt: Date; endsAt: Date }

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function toHhmm(minutes: number): string {
  const m = Math.max(0, Math.min(24 * 60, minutes));
  // Healthengine times are HH24:MI; the end of the day is 23:59 at the latest
  if (m === 24 * 60) return '23:59';
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function normalise(ranges: readonly MinuteRange[]): MinuteRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).map((r) => ({ ...r })).sort((a, b) => a.start - b.start);
  const out: MinuteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

export function subtract(base: readonly MinuteRange[], cut: readonly MinuteRange[]): MinuteRange[] {
  let out = normalise(base);
  for (const c of normalise(cut)) {
    const next: MinuteRange[] = [];
    for (const r of out) {
      if (c.end <= r.start || c.start >= r.end) { next.push(r); continue; }
      if (c.start > r.start) next.push({ start: r.start, end: c.start });
      if (c.end < r.end) next.push({ start: c.end, end: r.end });
    }
    out = next;
  }
  return out;
}

/** The part of [startsAt, endsAt) that falls on `date` in `tz`, in local minutes. */
export function busyOnDate(b: BusyInterval, date: string, tz: string): MinuteRange | null {
  const dayStart = DateTime.fromISO(date, { zone: tz }).startOf('day');
  const dayEnd = dayStart.plus({ days: 1 });
  const s = DateTime.fromJSDate(b.startsAt, { zone: tz });
  const e = DateTime.fromJSDate(b.endsAt, { zone: tz });
  if (e <= dayStart || s >= dayEnd) return null;
  const start = s < dayStart ? 0 : Math.floor(s.diff(dayStart, 'minutes').minutes);
  const end = e > dayEnd ? 24 * 60 : Math.ceil(e.diff(dayStart, 'minutes').minutes);
  return { start, end };
}

export interface DayInput {
  date: string;
  timeZone: string;
  hours: readonly WorkingHours[];
  exceptions: readonly CalendarException[];
  busy: readonly BusyInterval[];
  now: Date;
}

/** Free ranges of one calendar on one practice-local date. */
export function freeRanges(d: DayInput): MinuteRange[] {
  const day = DateTime.fromISO(d.date, { zone: d.timeZone });
  const weekday = day.weekday % 7;
  const working = d.hours
    .filter((h) => h.weekday === weekday && (!h.effectiveFrom || h.effectiveFrom <= d.date) && (!h.effectiveTo || h.effectiveTo >= d.date))
    .map((h) => ({ start: toMinutes(h.startTime), end: toMinutes(h.endTime) }));
  const blocked: MinuteRange[] = [];
  for (const x of d.exceptions) {
    if (x.localFrom > d.date || x.localTo < d.date) continue;
    blocked.push(x.startTime && x.endTime ? { start: toMinutes(x.startTime), end: toMinutes(x.endTime) } : { start: 0, end: 24 * 60 });
  }
  for (const b of d.busy) {
    const r = busyOnDate(b, d.date, d.timeZone);
    if (r) blocked.push(r);
  }
  // nothing in the past can be booked
  const nowLocal = DateTime.fromJSDate(d.now, { zone: d.timeZone });
  if (nowLocal.toISODate() === d.date) blocked.push({ start: 0, end: Math.ceil(nowLocal.diff(day.startOf('day'), 'minutes').minutes) });
  else if (nowLocal.toISODate()! > d.date) return [];
  return subtract(working, blocked);
}
