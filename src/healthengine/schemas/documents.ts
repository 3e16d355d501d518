// Extra features: documents, client snapshots, attach documents.
import { z } from 'zod';
import { DateString, DateTimeString, Int64, Reason } from './common.ts';
import { ClientSnapshotDateTypeSchema } from './requests.ts';

export const DocumentMetadataSchema = z.object({
  /** Described as required. */
  bookingId: Int64.optional(),
  /** Described as unique. */
  pmsDocumentId: z.string().optional(),
  documentType: z.string().optional(),
  documentName: z.string().optional(),
  documentDescription: z.string().optional(),
  documentFormat: z.string().optional(),
  documentSize: Int64.optional(),
  createdAt: DateTimeString.optional(),
  updatedAt: DateTimeString.optional(),
});
export type DocumentMetadata = z.infer<typeof DocumentMetadataSchema>;

/** As accepted: the published examples send `updatedAt: null`. */
export const DocumentMetadataInboundSchema = DocumentMetadataSchema.extend({
  updatedAt: DateTimeString.nullable().optional(),
});

export const DocumentSchema = DocumentMetadataSchema.extend({
  /** Base64. */
  documentContent: z.string().optional(),
});
export type Document = z.infer<typeof DocumentSchema>;
export const DocumentInboundSchema = DocumentMetadataInboundSchema.extend({ documentContent: z.string().optional() });

export const RejectDocumentUploadSchema = z.object({
  bookingId: Int64.optional(),
  pmsDocumentId: z.string().optional(),
  reason: Reason,
});
export type RejectDocumentUpload = z.infer<typeof RejectDocumentUploadSchema>;

const ActiveStatus = z.enum(['active', 'inactive']);

export const ClientSnapshotSchema = z.object({
  date: DateString,
  dateType: ClientSnapshotDateTypeSchema,
  locations: z.array(
    z.object({ pmsLocationId: z.string(), pmsLocationName: z.string(), pmsLocationStatus: ActiveStatus }),
  ),
  practitioners: z.array(
    z.object({ pmsPractitionerId: z.string(), pmsPractitionerName: z.string(), pmsPractitionerStatus: ActiveStatus }),
  ),
  appointmentTypes: z.array(
    z.object({
      pmsAppointmentTypeId: z.string(),
      pmsAppointmentTypeName: z.string(),
      pmsAppointmentTypeStatus: ActiveStatus,
    }),
  ),
  appointments: z.array(
    z.object({
      pmsAppointmentId: z.string(),
      pmsPatientId: z.string(),
      pmsPractitionerId: z.string(),
      pmsAppointmentTypeId: z.string(),
      pmsAppointmentCreationTime: DateTimeString,
      pmsAppointmentTime: DateTimeString,
      /** Minutes. */
      pmsAppointmentLength: Int64,
      pmsAppointmentStatus: z.enum([
        'booked',
        'patient-dna',
        'patient-arrived',
        'patient-in-consult',
        'patient-complete',
        'cancelled',
      ]),
    }),
  ),
  patients: z.array(
    z.object({
      pmsPatientId: z.string(),
      pmsPatientFirstname: z.string(),
      pmsPatientLastname: z.string(),
      pmsPatientPreferredName: z.string().optional(),
      pmsPatientPhoneMobile: z.string().optional(),
      pmsPatientPhoneHome: z.string().optional(),
      pmsPatientPhoneWork: z.string().optional(),
      pmsPatientSmsConsent: z.boolean().optional(),
      pmsPatientAge16AndUnder: z.boolean().optional(),
      pmsPatientCreationTime: DateTimeString,
    }),
  ),
});
export type ClientSnapshot = z.infer<typeof ClientSnapshotSchema>;

export const AttachDocumentMetadataSchema = z.object({
  pmsPatientId: z.string().optional(),
  pmsAppointmentId: z.string().nullable().optional(),
  bookingId: Int64.nullable().optional(),
  documentId: z.string().nullable().optional(),
  documentType: z.string().optional(),
  documentName: z.string().optional(),
  documentDescription: z.string().optional(),
  documentFormat: z.string().optional(),
  documentSize: Int64.optional(),
  /** SHA-1, hex. */
  documentHash: z.string().optional(),
  createdAt: DateTimeString.optional(),
});
export type AttachDocumentMetadata = z.infer<typeof AttachDocumentMetadataSchema>;

export const AttachDocumentSchema = AttachDocumentMetadataSchema.extend({ documentContent: z.string().optional() });
export type AttachDocument = z.infer<typeof AttachDocumentSchema>;

/** `requestId` is required here: it is needed to fetch, confirm or reject. */
export const AttachDocumentRequestSchema = AttachDocumentMetadataSchema.extend({ requestId: Int64 });
export type AttachDocumentRequest = z.infer<typeof AttachDocumentRequestSchema>;

export const ConfirmAttachDocumentSchema = z.object({ pmsDocumentId: z.string().nullable().optional() });
export type ConfirmAttachDocument = z.infer<typeof ConfirmAttachDocumentSchema>;
export const RejectAttachDocumentSchema = z.object({ reason: Reason });
export type RejectAttachDocument = z.infer<typeof RejectAttachDocumentSchema>;
