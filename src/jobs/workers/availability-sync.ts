// Builds availability snapshots (one per resource x practice-local date) from
// the adapter's diary views and sends them in batches of up to 100.
import { DateTime } from 'luxon';
import { freeRanges, normalise, toHhmm, type MinuteRange } from '../../domain/availability.ts';
import { ALL_CALENDARS } from '../../domain/planner.ts';
import { readAppointmentTypes, readLocations, readResources, type AppointmentTypeRow, type ResourceRow } from '../../db/queries/adapter-reads.ts';
import { readCalendarDiary } from '../../db/queries/availability-reads.ts';
import type { PracticeLink } from '../../db/queries/practice-links.ts';
import { credentials } from '../link-guard.ts';
import type { WorkerContext } from '../worker-context.ts';

export interface AvailabilityTarget {
  /** ALL_CALENDARS for every calendar of locationId (or of the link) */
  calendarId: string;
  locationId?: string;
  /** practice-local dates; undefined = the whole horizon */
  dates?: readonly string[];
}

export interface Snapshot {
  date: string;
  pmsResourceId: string;
  availability: { start: string; end: string; slotLength: number; pmsAppointmentTypeIds?: string[] }[];
}

export const BATCH_SIZE = 100;

export function horizonDates(tz: string, now: Date, days: number): string[] {
  const first = DateTime.fromJSDate(now, { zone: tz }).startOf('day');
  return Array.from({ length: days }, (_, i) => first.plus({ days: i }).toISODate()!);
}

function typeIdsFor(resource: ResourceRow, types: readonly AppointmentTypeRow[]): string[] {
  return types
    .filter((t) => t.locationId === resource.locationId && (t.resourceId === null || t.resourceId === resource.resourceId))
    .map((t) => t.appointmentTypeId);
}

export async function buildSnapshots(ctx: WorkerContext, link: PracticeLink, targets: readonly AvailabilityTarget[]): Promise<Snapshot[]> {
  const [resources, types, locations] = await Promise.all([
    readResources(ctx.pool, link.locationIds),
    readAppointmentTypes(ctx.pool, link.locationIds),
    readLocations(ctx.pool),
  ]);
  const tz = new Map(locations.map((l) => [l.locationId, l.timeZone]));
  const now = ctx.now();
  // resourceId -> date -> ranges (a resource at two locations of one practice merges)
  const acc = new Map<string, Map<string, MinuteRange[]>>();
  const slot = new Map<string, number>();
  const typeIds = new Map<string, Set<string>>();
  const wanted = new Map<string, Set<string> | 'horizon'>(); // `${location}\u0000${calendar}` -> dates
  for (const t of targets) {
    for (const r of resources) {
      if (t.locationId && r.locationId !== t.locationId) continue;
      if (t.calendarId !== ALL_CALENDARS && r.calendarId !== t.calendarId) continue;
      const k = `${r.locationId}\u0000${r.calendarId}`;
      const cur = wanted.get(k);
      if (!t.dates || cur === 'horizon') wanted.set(k, 'horizon');
      else wanted.set(k, new Set([...(cur ?? []), ...t.dates]));
    }
  }
  for (const [k, dateSet] of wanted) {
    const [locationId, calendarId] = k.split('\u0000') as [string, string];
    const zone = tz.get(locationId);
    if (!zone) continue;
    const horizon = horizonDates(zone, now, ctx.horizonDays);
    const dates = dateSet === 'horizon' ? horizon : [...dateSet].filter((d) => d >= horizon[0]! && d <= horizon[horizon.length - 1]!).sort();
    if (dates.length === 0) continue;
    const diary = await readCalendarDiary(ctx.pool, locationId, calendarId, dates[0]!, dates[dates.length - 1]!, zone);
    const here = resources.filter((r) => r.locationId === locationId && r.calendarId === calendarId);
    for (const date of dates) {
      const free = freeRanges({ date, timeZone: zone, now, ...diary });
      for (const r of here) {
        const byDate = acc.get(r.resourceId) ?? new Map<string, MinuteRange[]>();
        acc.set(r.resourceId, byDate);
        byDate.set(date, [...(byDate.get(date) ?? []), ...free]);
        slot.set(r.resourceId, (r.slotMinutes ?? 0) * 60);
        const ids = typeIds.get(r.resourceId) ?? new Set<string>();
        for (const id of typeIdsFor(r, types)) ids.add(id);
        typeIds.set(r.resourceId, ids);
      }
    }
  }
  const out: Snapshot[] = [];
  for (const [resourceId, byDate] of acc) {
    const ids = [...(typeIds.get(resourceId) ?? [])].sort();
    for (const [date, ranges] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
      out.push({
        date,
        pmsResourceId: resourceId,
        availability: normalise(ranges).map((r) => ({
          start: toHhmm(r.start),
          end: toHhmm(r.end),
          slotLength: slot.get(resourceId) ?? 0,
          ...(ids.length ? { pmsAppointmentTypeIds: ids } : {}),
        })),
      });
    }
  }
  return out;
}

export interface SendResult { sent: number; created: number; existing: number; failed: number; errors: string[] }

export async function sendSnapshots(ctx: WorkerContext, link: PracticeLink, snapshots: readonly Snapshot[]): Promise<SendResult> {
  const res: SendResult = { sent: 0, created: 0, existing: 0, failed: 0, errors: [] };
  for (let i = 0; i < snapshots.length; i += BATCH_SIZE) {
    const batch = snapshots.slice(i, i + BATCH_SIZE);
    const r = await ctx.client.postAvailabilitySnapshots(credentials(link), batch);
    res.sent += batch.length;
    res.created += r.created.length;
    res.existing += r.existing.length;
    res.failed += r.failed.length;
    for (const [id, msg] of Object.entries(r.errors ?? {})) res.errors.push(`${id}: ${String(msg)}`);
  }
  ctx.logger.info({ linkId: link.linkId, practiceId: link.practiceId, ...res, errors: res.errors.length }, 'availability sent');
  return res;
}
