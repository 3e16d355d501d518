// Availability snapshots: one resource x one practice-local date.
import { z } from 'zod';
import { DateString, Id, Int64, TimeString } from './common.ts';

export const AvailabilityRangeSchema = z.object({
  start: TimeString,
  end: TimeString,
  /** Seconds; below 60 means "use the length configured at Healthengine". */
  slotLength: Int64.min(0, 'must not be negative'),
  pmsAppointmentTypeIds: z.array(z.string()).optional(),
});
export type AvailabilityRange = z.infer<typeof AvailabilityRangeSchema>;

export const AvailabilitySnapshotSchema = z.object({
  /** Reference echoed in batch answers; the array index is used when absent. */
  id: z.string().optional(),
  date: DateString,
  pmsResourceId: Id,
  availability: z.array(AvailabilityRangeSchema),
});
export type AvailabilitySnapshot = z.infer<typeof AvailabilitySnapshotSchema>;

export const MAX_SNAPSHOTS_PER_BATCH = 100;

export const AvailabilitySnapshotBatchSchema = z.array(AvailabilitySnapshotSchema);

/** Snapshot id when set, else its index in the array (as a string). */
export const SnapshotIdOrArrayIndexSchema = z.string();

/** The answer of POST /availability/snapshots, as the spec has it (all optional). */
export const AvailabilityBatchResponseSchema = z.object({
  created: z.array(SnapshotIdOrArrayIndexSchema).optional(),
  existing: z.array(SnapshotIdOrArrayIndexSchema).optional(),
  failed: z.array(SnapshotIdOrArrayIndexSchema).optional(),
  errors: z
    .array(z.object({ snapshot: SnapshotIdOrArrayIndexSchema.optional(), error: z.string().optional() }))
    .optional(),
});

/** The same answer after the client filled in the absent lists. */
export interface AvailabilityBatchResult {
  created: string[];
  existing: string[];
  failed: string[];
  errors: { snapshot: string; error: string }[];
}
