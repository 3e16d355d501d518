// The change planner: a pure function from one captured row change to the job
// requests it implies. Replaying a change yields the same keys, so a replay
// after a crash costs at most a repeated (idempotent) push, never a lost one.
import type { ChangeEvent, RowChange } from './change-event.ts';
import { jobs, type JobRequest } from './jobs.ts';
import { dayToIso, isoToDay, localDayOf, weekdayOfDay } from './local-dates.ts';

export interface PlanLink {
  linkId: number;
  generation: number;
  enabled: boolean;
  locationIds: readonly string[];
}

export interface PlanContext {
  /** links as they are now (enabled or not); changes at locations no enabled link covers produce nothing */
  links: readonly PlanLink[];
  timeZones: ReadonlyMap<string, string>;
  now: Date;
  horizonDays: number;
  /** availability already planned under this context (a bulk statement repeats diary-days); plans are the same without it, only slower */
  planned?: PlannedSpans;
}

/**
 * Day spans of availability a context has planned, by location and
 * calendar: a bulk statement sends one change per row, most of them for a
 * diary-day planned a moment ago. Only saves work, so past `max` entries it
 * starts over rather than grow.
 */
export class PlannedSpans {
  private readonly byCalendar = new Map<string, Map<string, Set<number>>>();
  private size = 0;
  private readonly max: number;
  constructor(max = 50_000) {
    this.max = max;
  }

  /** True if this span was planned before; remembers it otherwise. */
  seen(locationId: string, calendarId: string, from: number, to: number, weekday: number | null): boolean {
    let calendars = this.byCalendar.get(locationId);
    if (!calendars) this.byCalendar.set(locationId, (calendars = new Map()));
    let spans = calendars.get(calendarId);
    if (!spans) calendars.set(calendarId, (spans = new Set()));
    // spans are clipped to the horizon (at most 180 days), weekdays 0..6
    const key = (from * 256 + (to - from)) * 8 + (weekday ?? 7);
    if (spans.has(key)) return true;
    if (this.size >= this.max) {
      this.byCalendar.clear();
      this.size = 0;
      return this.seen(locationId, calendarId, from, to, weekday);
    }
    spans.add(key);
    this.size++;
    return false;
  }
}

/** Sentinel calendar id: every calendar of the location. */
export const ALL_CALENDARS = '*';

function linksFor(ctx: PlanContext, locationId: string | null): PlanLink[] {
  return ctx.links.filter((l) => l.enabled && (locationId === null || l.locationIds.includes(locationId)));
}

/** Practice-local days (day numbers) inside [today, today + horizon) the event spans, or null. */
function daySpan(ev: ChangeEvent, tz: string, now: Date, horizonDays: number): { from: number; to: number } | null {
  const first = localDayOf(tz, now.getTime());
  if (first === null) return null;
  const last = first + horizonDays - 1;
  let from: number | null;
  let to: number | null;
  if (ev.atFrom && ev.atTo) {
    from = localDayOf(tz, ev.atFrom.getTime());
    // an appointment ending exactly at midnight does not touch the next day
    to = localDayOf(tz, Math.max(ev.atFrom.getTime(), ev.atTo.getTime() - 1));
  } else if (ev.localFrom) {
    from = isoToDay(ev.localFrom);
    to = isoToDay(ev.localTo ?? ev.localFrom);
  } else {
    from = first;
    to = last;
  }
  if (from === null || to === null) return null;
  from = Math.max(from, first);
  to = Math.min(to, last);
  return from <= to ? { from, to } : null;
}

function spanDates(span: { from: number; to: number }, weekday: number | null): string[] {
  const out: string[] = [];
  for (let d = span.from; d <= span.to; d++) {
    if (weekday === null || weekdayOfDay(d) === weekday) out.push(dayToIso(d));
  }
  return out;
}

/** Practice-local dates inside [today, today + horizon) that the event dirties. */
export function datesForEvent(ev: ChangeEvent, tz: string, now: Date, horizonDays: number): string[] {
  const span = daySpan(ev, tz, now, horizonDays);
  return span ? spanDates(span, ev.weekday) : [];
}

function planEvent(ev: ChangeEvent, ctx: PlanContext): JobRequest[] {
  const out: JobRequest[] = [];
  if (ev.kind === 'config' && ev.configKind) {
    for (const l of linksFor(ctx, ev.locationId)) {
      out.push(jobs.configPush(l.linkId, l.generation, ev.configKind));
      // a new or changed resource needs its availability too
      if (ev.configKind === 'resources' && ev.calendarId) {
        out.push(jobs.availabilityFull(l.linkId, l.generation, { calendarId: ev.calendarId, ...(ev.locationId ? { locationId: ev.locationId } : {}) }));
      }
    }
    return out;
  }
  if (ev.kind === 'appointment_state') {
    // the connector's own writes (a Healthengine cancellation applied) never echo back
    if (ev.origin === 'pms' && ev.appointmentId && ev.appointmentState) {
      out.push(jobs.appointmentOutbound(ev.appointmentId, ev.appointmentState));
    }
    return out;
  }
  // availability: every origin, the connector's own bookings included
  const targets = ev.locationId === null ? [...ctx.timeZones.keys()] : [ev.locationId];
  for (const locationId of targets) {
    const tz = ctx.timeZones.get(locationId);
    if (!tz) continue;
    const span = daySpan(ev, tz, ctx.now, ctx.horizonDays);
    if (!span) continue;
    const calendarId = ev.calendarId ?? ALL_CALENDARS;
    if (ctx.planned?.seen(locationId, calendarId, span.from, span.to, ev.weekday)) continue;
    const links = linksFor(ctx, locationId);
    if (links.length === 0) continue;
    const dates = spanDates(span, ev.weekday);
    for (const l of links) for (const date of dates) out.push(jobs.availabilityPush(l.linkId, l.generation, locationId, calendarId, date));
  }
  return out;
}

export function planChange(change: RowChange, ctx: PlanContext): JobRequest[] {
  switch (change.table) {
    case 'change_event':
      return planEvent(change.event, ctx);
    case 'practice_link':
      // a deleted link has nobody to send to; the connector's own status writes re-plan nothing
      return change.op !== 'delete' && change.userSave ? [jobs.linkSync(change.linkId)] : [];
    case 'resync_request':
      return change.op === 'insert' ? [jobs.resync(change.requestId)] : [];
    case 'liveness_hours':
      return change.linkIds.flatMap((id) => {
        const l = ctx.links.find((x) => x.linkId === id && x.enabled);
        return l ? [jobs.configPush(l.linkId, l.generation, 'liveness')] : [];
      });
  }
}
