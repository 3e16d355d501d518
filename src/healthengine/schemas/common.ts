// Shared formats and wrappers of the Healthengine PMS API 1.9.0 (openapi.yaml).
// Glossary of the string formats the API uses (API-FACTS "Transport"):
//   date      YYYY-MM-DD           (availability dates are practice-local)
//   time      HH24:MI              (practice-local)
//   datetime  YYYY-MM-DD HH24:MI:SS (UTC unless the field says "at Practice time")
//   dob       DD-MM-YYYY           (Patient.dob: typed "date" but described and shown so)
import { z } from 'zod';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const DOB_RE = /^(\d{2})-(\d{2})-(\d{4})$/;

/** True when y-m-d names a real calendar day (no 2023-02-30). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function isoDateIsReal(value: string): boolean {
  const m = DATE_RE.exec(value.slice(0, 10));
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function dobIsReal(value: string): boolean {
  const dmy = DOB_RE.exec(value);
  if (dmy) return isCalendarDate(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
  return isoDateIsReal(value);
}

export const DateString = z
  .string()
  .regex(DATE_RE, 'must be a date YYYY-MM-DD')
  .refine(isoDateIsReal, 'must be a real calendar date');

export const TimeString = z.string().regex(TIME_RE, 'must be a time HH:MM (24-hour)');

export const DateTimeString = z
  .string()
  .regex(DATETIME_RE, 'must be a datetime YYYY-MM-DD HH:MM:SS')
  .refine(isoDateIsReal, 'must be a real calendar date');

/**
 * Patient.dob: the spec types it `date` but describes and shows DD-MM-YYYY
 * (API-FACTS "where the material disagrees"). Incoming data, so accept both.
 */
export const DobString = z
  .string()
  .regex(/^(\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2})$/, 'must be a date DD-MM-YYYY')
  .refine(dobIsReal, 'must be a real calendar date');

/** int64 in the spec; JavaScript safe integers in practice. */
export const Int64 = z.int();

/** Ids are free-form strings in the spec; an empty id is never meaningful. */
export const Id = z.string().min(1, 'must not be empty');

/** Optional reason text: `nullable: true` in the spec. */
export const Reason = z.string().nullable().optional();

export const PaginatedSchema = z.object({
  currentPage: Int64.optional(),
  totalPages: Int64.optional(),
  perPage: Int64.optional(),
  total: Int64.optional(),
});
export type Paginated = z.infer<typeof PaginatedSchema>;

/** The `{ data, page }` wrapper of every paginated GET. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item).optional(), page: PaginatedSchema.optional() });
}

/** A page after the client has filled in the optional parts. */
export interface Page<T> {
  data: T[];
  page: { currentPage: number; totalPages: number; perPage: number; total: number };
}

/** The body of 400, 403 and 410 answers. */
export const ErrorBodySchema = z.object({ error: z.string().optional() });

/** True for an absolute http(s) URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
