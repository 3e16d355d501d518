// Bookings made by patients on Healthengine, and the PMS's answers to them.
import { z } from 'zod';
import { DateTimeString, DobString, Id, Int64, Reason } from './common.ts';

export const BookingStatusSchema = z.enum(['Requested', 'Confirmed', 'Cancelled']);
export type BookingStatus = z.infer<typeof BookingStatusSchema>;

/** Fields the spec describes as "can be null" are parsed nullable (API-FACTS). */
export const PatientSchema = z.object({
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  /** DD-MM-YYYY (see common.ts). */
  dob: DobString.optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  address: z.string().optional(),
  suburb: z.string().optional(),
  state: z.string().optional(),
  postcode: z.string().optional(),
  gender: z.enum(['Male', 'Female', 'Other']).nullable().optional(),
  medicareNumber: z.string().nullable().optional(),
  medicareIrn: z.string().nullable().optional(),
  /** m/Y, e.g. 05/2023. */
  medicareExpiry: z.string().nullable().optional(),
});
export type Patient = z.infer<typeof PatientSchema>;

/** `bookingId` is required here (the spec marks nothing required): a booking without one cannot be answered. */
export const BookingSchema = z.object({
  bookingId: Int64,
  /** Null when the resource was removed before the booking was processed: reject such a booking. */
  pmsResourceId: z.string().nullable().optional(),
  pmsAppointmentTypeId: z.string().nullable().optional(),
  pmsAppointmentIds: z.array(z.string()).optional(),
  pmsPatientId: z.string().nullable().optional(),
  /** UTC. */
  bookedTime: DateTimeString.optional(),
  bookingStatus: BookingStatusSchema.optional(),
  /** Practice-local. */
  pmsAppointmentTime: DateTimeString.optional(),
  /** Seconds (appointment types carry minutes). */
  pmsAppointmentLength: Int64.optional(),
  reason: z.string().optional(),
  comments: z.string().optional(),
  patient: PatientSchema.optional(),
  telehealthUrl: z.string().optional(),
  isNewPatient: z.boolean().optional(),
});
export type Booking = z.infer<typeof BookingSchema>;

/** `requestId` and `bookingId` are required here: both are needed to answer. */
export const BookingUpdateSchema = z.object({
  requestId: Int64,
  bookingId: Int64,
  pmsAppointmentIds: z.array(z.string()).optional(),
  pmsPatientId: z.string().optional(),
  /** UTC. */
  updatedAt: DateTimeString.optional(),
  bookingStatus: BookingStatusSchema.optional(),
});
export type BookingUpdate = z.infer<typeof BookingUpdateSchema>;

export const ConfirmBookingInsertSchema = z.object({
  pmsAppointmentIds: z.array(Id),
  pmsPatientId: Id,
  patientAppointmentLink: z.string().optional(),
  patientAppointmentDescription: z.string().optional(),
  practitionerAppointmentLink: z.string().optional(),
  practitionerAppointmentDescription: z.string().optional(),
});
export type ConfirmBookingInsert = z.infer<typeof ConfirmBookingInsertSchema>;

/** As accepted: the spec's own example sends integer appointment ids. */
export const ConfirmBookingInsertInboundSchema = ConfirmBookingInsertSchema.extend({
  pmsAppointmentIds: z.array(z.union([Id, Int64]).transform((v) => String(v))),
});

export const RejectBookingInsertSchema = z.object({ reason: Reason });
export type RejectBookingInsert = z.infer<typeof RejectBookingInsertSchema>;
export const RejectBookingUpdateSchema = z.object({ reason: Reason });
export type RejectBookingUpdate = z.infer<typeof RejectBookingUpdateSchema>;
export const CancelBookingSchema = z.object({ reason: Reason });
export type CancelBooking = z.infer<typeof CancelBookingSchema>;
export const DidNotAttendBookingSchema = z.object({ reason: Reason });
export type DidNotAttendBooking = z.infer<typeof DidNotAttendBookingSchema>;
