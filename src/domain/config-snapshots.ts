// Pure builders of the three configuration payloads from adapter rows, with the
// spec's rules checked before sending. A record that breaks a rule is left out
// and reported by name; everything else still goes through.
import type { AppointmentTypeRow, LivenessHoursRow, LocationHoursRow, ResourceRow } from '../db/queries/adapter-reads.ts';

export interface PmsResource {
  pmsResourceId: string;
  pmsResourceName: string;
  pmsPractitionerTitle?: string;
  pmsPractitionerFirstname?: string;
  pmsPractitionerLastname?: string;
}
export interface PmsAppointmentType {
  pmsAppointmentTypeId: string;
  pmsAppointmentTypeName: string;
  pmsAppointmentLength?: number;
  pmsResourceId?: string;
}
export interface TimeRange { start: string; end: string }
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export type LiveHours = Partial<Record<Weekday | 'publicHolidays', TimeRange[]>>;
export interface LivenessContract { liveHours: LiveHours }

export interface Built<T> { payload: T; problems: string[] }

const MAX_ID = 255;

export function buildResourceSnapshot(rows: readonly ResourceRow[]): Built<PmsResource[]> {
  const problems: string[] = [];
  const byId = new Map<string, PmsResource>();
  const nameOwner = new Map<string, string>();
  for (const r of rows) {
    if (!r.resourceId || r.resourceId.length > MAX_ID) { problems.push(`resource with id '${r.resourceId}' (${r.resourceName}) has an empty or over-long id`); continue; }
    const name = (r.resourceName ?? '').trim();
    if (!name) { problems.push(`resource '${r.resourceId}' has no name`); continue; }
    // one practitioner working at several locations of one practice is one resource
    if (byId.has(r.resourceId)) continue;
    const owner = nameOwner.get(name.toLowerCase());
    if (owner) { problems.push(`resources '${owner}' and '${r.resourceId}' share the name '${name}'; '${r.resourceId}' was left out (names must be unique)`); continue; }
    nameOwner.set(name.toLowerCase(), r.resourceId);
    const res: PmsResource = { pmsResourceId: r.resourceId, pmsResourceName: name };
    if (r.kind === 'practitioner') {
      if (r.title) res.pmsPractitionerTitle = r.title;
      if (r.firstName) res.pmsPractitionerFirstname = r.firstName;
      if (r.lastName) res.pmsPractitionerLastname = r.lastName;
    }
    byId.set(r.resourceId, res);
  }
  return { payload: [...byId.values()], problems };
}

export function buildAppointmentTypeSnapshot(rows: readonly AppointmentTypeRow[], resourceIds: ReadonlySet<string>): Built<PmsAppointmentType[]> {
  const problems: string[] = [];
  const byId = new Map<string, PmsAppointmentType>();
  const nameOwner = new Map<string, string>();
  for (const t of rows) {
    if (!t.appointmentTypeId || t.appointmentTypeId.length > MAX_ID) { problems.push(`appointment type '${t.name}' has an empty or over-long id`); continue; }
    if (byId.has(t.appointmentTypeId)) continue;
    const name = (t.name ?? '').trim();
    if (!name) { problems.push(`appointment type '${t.appointmentTypeId}' has no name`); continue; }
    if (t.resourceId && !resourceIds.has(t.resourceId)) {
      problems.push(`appointment type '${t.appointmentTypeId}' (${name}) belongs to resource '${t.resourceId}', which is not in the resource snapshot; left out`);
      continue;
    }
    const owner = nameOwner.get(name.toLowerCase());
    if (owner) { problems.push(`appointment types '${owner}' and '${t.appointmentTypeId}' share the name '${name}'; '${t.appointmentTypeId}' was left out (names must be unique)`); continue; }
    nameOwner.set(name.toLowerCase(), t.appointmentTypeId);
    const out: PmsAppointmentType = { pmsAppointmentTypeId: t.appointmentTypeId, pmsAppointmentTypeName: name };
    if (t.lengthMinutes === null || t.lengthMinutes === undefined || !Number.isInteger(t.lengthMinutes) || t.lengthMinutes <= 0) {
      problems.push(`appointment type '${t.appointmentTypeId}' (${name}) has no valid length in minutes (got ${t.lengthMinutes ?? 'none'}); sent without a length`);
    } else {
      out.pmsAppointmentLength = t.lengthMinutes;
    }
    if (t.resourceId) out.pmsResourceId = t.resourceId;
    byId.set(t.appointmentTypeId, out);
  }
  return { payload: [...byId.values()], problems };
}

export const WEEKDAYS: readonly Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Merges overlapping or touching HH:MM ranges. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = [...ranges].filter((r) => r.start < r.end).sort((a, b) => a.start.localeCompare(b.start));
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) { if (r.end > last.end) last.end = r.end; } else out.push({ ...r });
  }
  return out;
}

/**
 * Liveness hours: those a PMS user set for the link if any, otherwise the union
 * of its locations' opening hours (no public-holiday hours by default).
 */
export function buildLivenessContract(linkHours: readonly LivenessHoursRow[], locationHours: readonly LocationHoursRow[]): LivenessContract {
  const liveHours: LiveHours = {};
  const days = [...WEEKDAYS, 'publicHolidays'] as const;
  for (const d of days) liveHours[d] = [];
  if (linkHours.length > 0) {
    for (const h of linkHours) (liveHours[h.day as Weekday] ??= []).push({ start: h.start, end: h.end });
  } else {
    for (const h of locationHours) liveHours[WEEKDAYS[h.weekday]!]!.push({ start: h.opens, end: h.closes });
  }
  for (const d of days) liveHours[d] = mergeRanges(liveHours[d] ?? []);
  return { liveHours };
}
