// Reads of the adapter's diary views for availability building.
import type { BusyInterval, CalendarException, WorkingHours } from '../../domain/availability.ts';
import type { Queryable } from './practice-links.ts';

export interface CalendarDiary {
  hours: WorkingHours[];
  exceptions: CalendarException[];
  busy: BusyInterval[];
}

/** Everything that shapes one calendar's days at one location between two local dates (inclusive). */
export async function readCalendarDiary(db: Queryable, locationId: string, calendarId: string, fromDate: string, toDate: string, timeZone: string): Promise<CalendarDiary> {
  const [h, x, b] = await Promise.all([
    db.query(
      `SELECT weekday::int, to_char(start_time, 'HH24:MI') AS s, to_char(end_time, 'HH24:MI') AS e,
              effective_from::text AS ef, effective_to::text AS et
       FROM healthengine.pms_working_hours WHERE location_id = $1 AND calendar_id = $2`,
      [locationId, calendarId],
    ),
    db.query(
      `SELECT local_from::text AS lf, local_to::text AS lt, to_char(start_time, 'HH24:MI') AS s, to_char(end_time, 'HH24:MI') AS e
       FROM healthengine.pms_calendar_exception
       WHERE (location_id = $1 OR location_id IS NULL) AND (calendar_id = $2 OR calendar_id IS NULL)
         AND local_from <= $4::date AND local_to >= $3::date`,
      [locationId, calendarId, fromDate, toDate],
    ),
    // a practitioner busy at another location is busy here too: no location filter
    db.query(
      `SELECT starts_at, ends_at FROM healthengine.pms_busy
       WHERE calendar_id = $1 AND starts_at < (($3::date + 1)::timestamp AT TIME ZONE $4) AND ends_at > ($2::date::timestamp AT TIME ZONE $4)
         -- nothing in a diary lasts a day: this bound keeps the calendar's whole history out of the scan
         AND starts_at >= (($2::date - 1)::timestamp AT TIME ZONE $4)`,
      [calendarId, fromDate, toDate, timeZone],
    ),
  ]);
  return {
    hours: h.rows.map((r) => ({ weekday: r.weekday, startTime: r.s, endTime: r.e, effectiveFrom: r.ef, effectiveTo: r.et })),
    exceptions: x.rows.map((r) => ({ localFrom: r.lf, localTo: r.lt, startTime: r.s, endTime: r.e })),
    busy: b.rows.map((r) => ({ startsAt: r.starts_at, endsAt: r.ends_at })),
  };
}

export async function readCalendars(db: Queryable, locationIds: readonly string[]): Promise<{ locationId: string; calendarId: string }[]> {
  const r = await db.query(
    `SELECT DISTINCT location_id::text, calendar_id::text FROM healthengine.pms_resource WHERE location_id = ANY($1::text[]) ORDER BY 1, 2`,
    [locationIds],
  );
  return r.rows.map((x) => ({ locationId: x.location_id, calendarId: x.calendar_id }));
}
