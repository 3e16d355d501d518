// Is a time a bookable slot of a published availability snapshot? Pure.
import type { AvailabilityRange, PmsAppointmentType } from '../healthengine/schemas.ts';

export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export type SlotCheck = { ok: true; lengthSeconds: number } | { ok: false; reason: string };

export interface SlotQuery {
  ranges: readonly AvailabilityRange[];
  time: string;
  /** The appointment type the patient chose, if any. */
  type: PmsAppointmentType | undefined;
  /** Used when slotLength < 60 and the type gives no length. */
  defaultMinutes: number;
}

/**
 * A slot is published when a range contains it on its grid: start + k * length,
 * ending no later than the range. Length: slotLength seconds when >= 60, else
 * the appointment type's length, else the default (Healthengine's "configured
 * length"). A range that lists appointment types only takes those types.
 */
export function checkSlot(q: SlotQuery): SlotCheck {
  const at = minutesOf(q.time) * 60;
  let reason = `no published range contains ${q.time}`;
  for (const range of q.ranges) {
    const start = minutesOf(range.start) * 60;
    const end = minutesOf(range.end) * 60;
    if (at < start || at >= end) continue;
    const typeIds = range.pmsAppointmentTypeIds ?? [];
    if (q.type && typeIds.length > 0 && !typeIds.includes(q.type.pmsAppointmentTypeId)) {
      reason = `the range ${range.start}-${range.end} does not offer appointment type ${q.type.pmsAppointmentTypeId}`;
      continue;
    }
    const length =
      range.slotLength >= 60 ? range.slotLength : (q.type?.pmsAppointmentLength ?? q.defaultMinutes) * 60;
    if ((at - start) % length !== 0) {
      reason = `${q.time} is not on the ${length / 60}-minute grid of the range ${range.start}-${range.end}`;
      continue;
    }
    if (at + length > end) {
      reason = `a ${length / 60}-minute slot at ${q.time} does not fit in the range ${range.start}-${range.end}`;
      continue;
    }
    return { ok: true, lengthSeconds: length };
  }
  return { ok: false, reason };
}

/** True when [aStart, aStart+aLen) and [bStart, bStart+bLen) overlap; times HH:MM, lengths seconds. */
export function overlaps(aTime: string, aLenSeconds: number, bTime: string, bLenSeconds: number): boolean {
  const a = minutesOf(aTime) * 60;
  const b = minutesOf(bTime) * 60;
  return a < b + bLenSeconds && b < a + aLenSeconds;
}
