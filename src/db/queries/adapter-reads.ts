// Every read of the adapter's views (the contract in docs/adapter.md). The
// connector never names a PMS table; it reads only these.
import type { Queryable } from './practice-links.ts';

export interface LocationRow { locationId: string; name: string; timeZone: string }
export interface LocationHoursRow { locationId: string; weekday: number; opens: string; closes: string }
export interface ResourceRow {
  resourceId: string; locationId: string; calendarId: string; resourceName: string; kind: string;
  title: string | null; firstName: string | null; lastName: string | null; specialty: string | null; slotMinutes: number | null;
}
export interface AppointmentTypeRow { appointmentTypeId: string; locationId: string; resourceId: string | null; name: string; lengthMinutes: number | null }
export interface LivenessHoursRow { day: string; start: string; end: string }

export async function readLocations(db: Queryable): Promise<LocationRow[]> {
  const r = await db.query(`SELECT location_id::text, name::text, time_zone::text FROM healthengine.pms_location ORDER BY location_id`);
  return r.rows.map((x) => ({ locationId: x.location_id, name: x.name, timeZone: x.time_zone }));
}

export async function readLocationHours(db: Queryable, locationIds: readonly string[]): Promise<LocationHoursRow[]> {
  const r = await db.query(
    `SELECT location_id::text, weekday::int, to_char(opens, 'HH24:MI') AS opens, to_char(closes, 'HH24:MI') AS closes
     FROM healthengine.pms_location_hours WHERE location_id = ANY($1::text[]) ORDER BY weekday, opens`,
    [locationIds],
  );
  return r.rows.map((x) => ({ locationId: x.location_id, weekday: x.weekday, opens: x.opens, closes: x.closes }));
}

export async function readResources(db: Queryable, locationIds: readonly string[]): Promise<ResourceRow[]> {
  const r = await db.query(
    `SELECT resource_id::text, location_id::text, calendar_id::text, resource_name::text, kind::text, title::text,
            first_name::text, last_name::text, specialty::text, slot_minutes::int
     FROM healthengine.pms_resource WHERE location_id = ANY($1::text[]) ORDER BY location_id, resource_id`,
    [locationIds],
  );
  return r.rows.map((x) => ({
    resourceId: x.resource_id, locationId: x.location_id, calendarId: x.calendar_id, resourceName: x.resource_name, kind: x.kind,
    title: x.title, firstName: x.first_name, lastName: x.last_name, specialty: x.specialty, slotMinutes: x.slot_minutes,
  }));
}

export async function readAppointmentTypes(db: Queryable, locationIds: readonly string[]): Promise<AppointmentTypeRow[]> {
  const r = await db.query(
    `SELECT appointment_type_id::text, location_id::text, resource_id::text, name::text, length_minutes::int
     FROM healthengine.pms_appointment_type WHERE location_id = ANY($1::text[]) ORDER BY location_id, appointment_type_id`,
    [locationIds],
  );
  return r.rows.map((x) => ({ appointmentTypeId: x.appointment_type_id, locationId: x.location_id, resourceId: x.resource_id, name: x.name, lengthMinutes: x.length_minutes }));
}

/** Liveness hours a PMS user set for the link (connector table), if any. */
export async function readLivenessHours(db: Queryable, linkId: number): Promise<LivenessHoursRow[]> {
  const r = await db.query(
    `SELECT day, to_char(start_time, 'HH24:MI') AS start, to_char(end_time, 'HH24:MI') AS "end"
     FROM healthengine.liveness_hours WHERE link_id = $1 ORDER BY day, start_time`,
    [linkId],
  );
  return r.rows.map((x) => ({ day: x.day, start: x.start, end: x.end }));
}

/** The PMS's own state of an appointment ('booked', 'cancelled', 'did_not_attend', ...); null when it has no such appointment. */
export async function readAppointmentState(db: Queryable, appointmentId: string): Promise<string | null> {
  const r = await db.query(`SELECT healthengine.pms_appointment_state($1) AS state`, [appointmentId]);
  return (r.rows[0]?.state as string | null) ?? null;
}
