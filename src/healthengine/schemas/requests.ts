// Work Healthengine asks the PMS to do: GET /requests and GET /requests/<type>.
import { z } from 'zod';
import { DateString, Int64 } from './common.ts';

export const REQUEST_TYPES = [
  'bookings',
  'bookingUpdates',
  'availability',
  'pmsAppointmentChanges',
  'pmsResources',
  'pmsAppointmentTypes',
  'availableDocuments',
  'uploadDocuments',
  'clientSnapshots',
  'attachDocuments',
] as const;
export const RequestTypeSchema = z.enum(REQUEST_TYPES);
export type RequestType = z.infer<typeof RequestTypeSchema>;

/** Request types that have no GET /requests/<type>: answer by pushing that snapshot. */
export const SNAPSHOT_REQUEST_TYPES = ['pmsResources', 'pmsAppointmentTypes'] as const;

/** `day` is required here: a request without a day cannot be answered. Read both resource id spellings. */
export const AvailabilityRequestSchema = z.object({
  day: DateString,
  /** Deprecated spelling of pmsResourceId. */
  pms_resource_id: z.string().optional(),
  pmsResourceId: z.string().optional(),
});
export type AvailabilityRequest = z.infer<typeof AvailabilityRequestSchema>;

export const PmsAppointmentChangesRequestSchema = z.object({
  bookingId: Int64,
  pmsAppointmentIds: z.array(z.string()).optional(),
  pmsPatientId: z.string().optional(),
});
export type PmsAppointmentChangesRequest = z.infer<typeof PmsAppointmentChangesRequestSchema>;

export const AvailableDocumentsRequestSchema = z.object({
  bookingId: Int64,
  pmsAppointmentIds: z.array(z.string()).optional(),
  pmsPatientId: z.string().optional(),
});
export type AvailableDocumentsRequest = z.infer<typeof AvailableDocumentsRequestSchema>;

export const UploadDocumentsRequestSchema = z.object({
  bookingId: Int64,
  pmsAppointmentIds: z.array(z.string()).optional(),
  pmsPatientId: z.string().optional(),
  pmsDocumentId: z.string().optional(),
});
export type UploadDocumentsRequest = z.infer<typeof UploadDocumentsRequestSchema>;

export const ClientSnapshotDateTypeSchema = z.enum(['appt_datetime', 'appt_creation_datetime']);

export const ClientSnapshotRequestSchema = z.object({
  date: DateString,
  dateType: ClientSnapshotDateTypeSchema,
});
export type ClientSnapshotRequest = z.infer<typeof ClientSnapshotRequestSchema>;
