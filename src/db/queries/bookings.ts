// Every statement on healthengine.booking: Healthengine bookings and the PMS
// appointments they became.
import type { Queryable } from './practice-links.ts';

export interface BookingMapping {
  heBookingId: number;
  linkId: number;
  pmsAppointmentIds: string[];
  pmsPatientId: string | null;
  state: string;
}

export async function bookingForAppointment(db: Queryable, appointmentId: string): Promise<BookingMapping | null> {
  const r = await db.query(
    `SELECT he_booking_id, link_id, pms_appointment_ids, pms_patient_id, state FROM healthengine.booking WHERE pms_appointment_ids @> ARRAY[$1]::text[]`,
    [appointmentId],
  );
  const x = r.rows[0];
  return x ? { heBookingId: Number(x.he_booking_id), linkId: Number(x.link_id), pmsAppointmentIds: x.pms_appointment_ids, pmsPatientId: x.pms_patient_id, state: x.state } : null;
}

export async function recordBooking(db: Queryable, b: BookingMapping): Promise<void> {
  await db.query(
    `INSERT INTO healthengine.booking (he_booking_id, link_id, pms_appointment_ids, pms_patient_id, state) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (link_id, he_booking_id) DO UPDATE SET pms_appointment_ids = excluded.pms_appointment_ids, pms_patient_id = excluded.pms_patient_id, state = excluded.state, updated_at = now()`,
    [b.heBookingId, b.linkId, b.pmsAppointmentIds, b.pmsPatientId, b.state],
  );
}

export async function setBookingState(db: Queryable, linkId: number, heBookingId: number, state: string, message: string | null): Promise<void> {
  await db.query(`UPDATE healthengine.booking SET state = $3, state_message = $4, updated_at = now() WHERE link_id = $1 AND he_booking_id = $2`, [linkId, heBookingId, state, message]);
}
