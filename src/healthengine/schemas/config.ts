// Configuration: liveness contract, PMS resources, PMS appointment types.
import { z } from 'zod';
import { Id, Int64, TimeString } from './common.ts';

/**
 * A time range. The spec marks neither field required; a range without both
 * ends means nothing, so both are required here (see docs/healthengine-client.md).
 */
export const RangeSchema = z.object({ start: TimeString, end: TimeString });
export type Range = z.infer<typeof RangeSchema>;

export const RangeSetSchema = z.array(RangeSchema);

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export const ScheduleSchema = z.object({
  monday: RangeSetSchema.optional(),
  tuesday: RangeSetSchema.optional(),
  wednesday: RangeSetSchema.optional(),
  thursday: RangeSetSchema.optional(),
  friday: RangeSetSchema.optional(),
  saturday: RangeSetSchema.optional(),
  sunday: RangeSetSchema.optional(),
  publicHolidays: RangeSetSchema.optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const LivenessContractSchema = z.object({ liveHours: ScheduleSchema.optional() });
export type LivenessContract = z.infer<typeof LivenessContractSchema>;

export const PmsResourceSchema = z.object({
  pmsResourceId: Id,
  pmsResourceName: Id,
  pmsPractitionerTitle: z.string().optional(),
  pmsPractitionerFirstname: z.string().optional(),
  pmsPractitionerLastname: z.string().optional(),
});
export type PmsResource = z.infer<typeof PmsResourceSchema>;

/** As sent: `pmsAppointmentLength` is an integer number of minutes. */
export const PmsAppointmentTypeSchema = z.object({
  pmsAppointmentTypeId: Id,
  pmsAppointmentTypeName: Id,
  pmsAppointmentLength: Int64.min(0, 'must not be negative').optional(),
  /** Empty or absent: offered by every resource. */
  pmsResourceId: z.string().optional(),
});
export type PmsAppointmentType = z.infer<typeof PmsAppointmentTypeSchema>;

/**
 * As accepted by Healthengine: the published examples send the length as a
 * numeric string ("30"); accept it and normalise to a number.
 */
export const PmsAppointmentTypeInboundSchema = PmsAppointmentTypeSchema.extend({
  pmsAppointmentLength: z
    .union([Int64.min(0, 'must not be negative'), z.string().regex(/^\d+$/, 'must be a whole number of minutes')])
    .transform((v) => Number(v))
    .optional(),
});
