// The booking state machine, as the spec and the quick-start guide describe it:
//   book (patient) -> Requested, listed in /requests/bookings
//   confirmInsert -> Confirmed;  rejectInsert -> Rejected (and an availability
//   request for that resource and day);  no answer within 20 s -> Confirmed
//   by Healthengine, still listed until the PMS answers (a late rejectInsert
//   is recorded as `rejectedTooLate`: the practice must fix it by hand).
//   cancel (patient) -> Cancelled + a bookingUpdates request (confirmUpdate /
//   rejectUpdate); cancel / didNotAttend (PMS) answer pmsAppointmentChanges.
import type { Booking, BookingStatus, BookingUpdate, Patient } from '../healthengine/schemas.ts';
import { ApiError, badRequest, notFound } from './api-error.ts';
import { enqueue, resolve } from './queue.ts';
import { checkSlot, overlaps } from './slots.ts';
import type { BookingState, PendingRequest, PracticeState, SandboxBooking, SandboxState } from './state.ts';

export interface BookInput {
  /** Normally assigned; must not be in use when given. */
  bookingId?: number | undefined;
  pmsResourceId: string;
  /** Practice-local YYYY-MM-DD and HH:MM. */
  date: string;
  time: string;
  pmsAppointmentTypeId?: string | undefined;
  patient: Patient;
  reason?: string | undefined;
  comments?: string | undefined;
  isNewPatient?: boolean | undefined;
  telehealthUrl?: string | undefined;
}

const ACTIVE: ReadonlySet<BookingState> = new Set(['Requested', 'Confirmed']);

export function apiStatus(state: BookingState): BookingStatus {
  return state === 'Rejected' ? 'Cancelled' : state;
}

/** A patient books a published slot. Throws 409 when it is not bookable. */
export function book(state: SandboxState, practice: PracticeState, input: BookInput): SandboxBooking {
  const resource = practice.resources?.find((r) => r.pmsResourceId === input.pmsResourceId);
  if (!resource) throw new ApiError(409, `resource ${input.pmsResourceId} is not in the practice's resources snapshot`);
  let type;
  if (input.pmsAppointmentTypeId !== undefined) {
    type = practice.appointmentTypes?.find((t) => t.pmsAppointmentTypeId === input.pmsAppointmentTypeId);
    if (!type) throw new ApiError(409, `appointment type ${input.pmsAppointmentTypeId} is not in the appointment types snapshot`);
    if (type.pmsResourceId && type.pmsResourceId !== input.pmsResourceId) {
      throw new ApiError(409, `appointment type ${type.pmsAppointmentTypeId} is only offered by resource ${type.pmsResourceId}`);
    }
  }
  const snapshot = practice.availability.get(input.pmsResourceId)?.get(input.date);
  if (!snapshot) throw new ApiError(409, `no availability published for resource ${input.pmsResourceId} on ${input.date}`);
  const slot = checkSlot({
    ranges: snapshot.availability,
    time: input.time,
    type,
    defaultMinutes: state.settings.defaultAppointmentMinutes,
  });
  if (!slot.ok) throw new ApiError(409, slot.reason);
  for (const other of practice.bookings.values()) {
    if (
      ACTIVE.has(other.state) &&
      other.bookedResourceId === input.pmsResourceId &&
      other.date === input.date &&
      overlaps(input.time, slot.lengthSeconds, other.time, other.lengthSeconds)
    ) {
      throw new ApiError(409, `the slot overlaps booking ${other.bookingId}`);
    }
  }
  if (input.bookingId !== undefined && [...state.practices.values()].some((p) => p.bookings.has(input.bookingId ?? 0))) {
    throw new ApiError(409, `booking id ${input.bookingId} is already in use`);
  }
  const booking: SandboxBooking = {
    bookingId: input.bookingId !== undefined ? state.reserveBookingId(input.bookingId) : state.nextBookingId(),
    practiceId: practice.practiceId,
    state: 'Requested',
    confirmedBy: null,
    pendingInsert: true,
    rejectedTooLate: false,
    didNotAttend: false,
    cancelledBy: null,
    pmsResourceId: input.pmsResourceId,
    bookedResourceId: input.pmsResourceId,
    pmsAppointmentTypeId: input.pmsAppointmentTypeId ?? null,
    pmsAppointmentIds: [],
    pmsPatientId: null,
    date: input.date,
    time: input.time,
    lengthSeconds: slot.lengthSeconds,
    bookedTime: state.nowUtc(),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.comments !== undefined ? { comments: input.comments } : {}),
    patient: input.patient,
    isNewPatient: input.isNewPatient ?? false,
    ...(input.telehealthUrl !== undefined ? { telehealthUrl: input.telehealthUrl } : {}),
    answers: [],
  };
  practice.bookings.set(booking.bookingId, booking);
  enqueue(state, practice, 'bookings', {}, booking.bookingId);
  state.scheduler.afterSeconds(state.settings.autoConfirmSeconds, () => {
    if (booking.state === 'Requested') {
      booking.state = 'Confirmed';
      booking.confirmedBy = 'auto';
    }
  });
  return booking;
}

export function findBooking(practice: PracticeState, bookingId: number): SandboxBooking {
  const booking = practice.bookings.get(bookingId);
  if (!booking) throw notFound(`booking ${bookingId} not found for this practice`);
  return booking;
}

function requireInsertPending(b: SandboxBooking): void {
  if (!b.pendingInsert) throw badRequest(`booking ${b.bookingId} has no pending insert request (already answered)`);
}

export function confirmInsert(state: SandboxState, practice: PracticeState, bookingId: number, body: Record<string, unknown>): void {
  const b = findBooking(practice, bookingId);
  requireInsertPending(b);
  b.pmsAppointmentIds = body.pmsAppointmentIds as string[];
  b.pmsPatientId = body.pmsPatientId as string;
  b.pendingInsert = false;
  if (b.state === 'Requested') {
    b.state = 'Confirmed';
    b.confirmedBy = 'pms';
  }
  b.answers.push({ action: 'confirmInsert', at: state.nowUtc(), body });
  resolve(state, practice, (r) => r.type === 'bookings' && r.bookingId === bookingId, 'confirmInsert');
}

export function rejectInsert(state: SandboxState, practice: PracticeState, bookingId: number, body: unknown): void {
  const b = findBooking(practice, bookingId);
  requireInsertPending(b);
  b.pendingInsert = false;
  b.answers.push({ action: 'rejectInsert', at: state.nowUtc(), body });
  resolve(state, practice, (r) => r.type === 'bookings' && r.bookingId === bookingId, 'rejectInsert');
  if (b.state === 'Requested') {
    b.state = 'Rejected';
    // Healthengine now suspects stale availability for that resource and day
    enqueue(state, practice, 'availability', { day: b.date, pmsResourceId: b.bookedResourceId });
  } else {
    b.rejectedTooLate = b.confirmedBy === 'auto';
  }
}

/** The patient cancels: a bookingUpdates request for the PMS. */
export function patientCancel(state: SandboxState, practice: PracticeState, bookingId: number): PendingRequest {
  const b = findBooking(practice, bookingId);
  if (!ACTIVE.has(b.state)) throw new ApiError(409, `booking ${bookingId} is ${b.state}: nothing to cancel`);
  b.state = 'Cancelled';
  b.cancelledBy = 'patient';
  return enqueue(state, practice, 'bookingUpdates', { bookingStatus: 'Cancelled' }, bookingId);
}

function pendingUpdate(practice: PracticeState, bookingId: number, requestId: number): PendingRequest {
  const req = practice.pending.find((r) => r.type === 'bookingUpdates' && r.requestId === requestId);
  if (!req) throw notFound(`no pending booking update ${requestId}`);
  if (req.bookingId !== bookingId) throw badRequest(`booking update ${requestId} belongs to another booking`);
  return req;
}

export function answerUpdate(
  state: SandboxState,
  practice: PracticeState,
  bookingId: number,
  requestId: number,
  action: 'confirmUpdate' | 'rejectUpdate',
  body?: unknown,
): void {
  const b = findBooking(practice, bookingId);
  pendingUpdate(practice, bookingId, requestId);
  b.answers.push({ action, at: state.nowUtc(), ...(body !== undefined ? { body } : {}) });
  resolve(state, practice, (r) => r.type === 'bookingUpdates' && r.requestId === requestId, action);
}

/** PMS-side change of a booking: cancel, didNotAttend or noPmsAppointmentChange. */
export function pmsChange(
  state: SandboxState,
  practice: PracticeState,
  bookingId: number,
  action: 'cancel' | 'didNotAttend' | 'noPmsAppointmentChange',
  body?: unknown,
): void {
  const b = findBooking(practice, bookingId);
  const changeRequested = practice.pending.some((r) => r.type === 'pmsAppointmentChanges' && r.bookingId === bookingId);
  if (action === 'noPmsAppointmentChange' && !changeRequested) {
    throw badRequest(`booking ${bookingId} has no pending pmsAppointmentChanges request`);
  }
  if (action !== 'noPmsAppointmentChange') {
    if (b.state === 'Requested') throw badRequest(`booking ${bookingId} is still Requested: answer it with confirmInsert or rejectInsert`);
    if (b.state !== 'Confirmed') throw badRequest(`booking ${bookingId} is already ${apiStatus(b.state)}`);
    if (action === 'cancel') {
      b.state = 'Cancelled';
      b.cancelledBy = 'pms';
    } else {
      b.didNotAttend = true;
    }
  }
  b.answers.push({ action, at: state.nowUtc(), ...(body !== undefined ? { body } : {}) });
  resolve(state, practice, (r) => r.type === 'pmsAppointmentChanges' && r.bookingId === bookingId, action);
}

export function renderBooking(b: SandboxBooking): Booking {
  return {
    bookingId: b.bookingId,
    pmsResourceId: b.pmsResourceId,
    pmsAppointmentTypeId: b.pmsAppointmentTypeId,
    pmsAppointmentIds: [...b.pmsAppointmentIds],
    pmsPatientId: b.pmsPatientId,
    bookedTime: b.bookedTime,
    bookingStatus: apiStatus(b.state),
    pmsAppointmentTime: `${b.date} ${b.time}:00`,
    pmsAppointmentLength: b.lengthSeconds,
    ...(b.reason !== undefined ? { reason: b.reason } : {}),
    ...(b.comments !== undefined ? { comments: b.comments } : {}),
    patient: { ...b.patient },
    ...(b.telehealthUrl !== undefined ? { telehealthUrl: b.telehealthUrl } : {}),
    isNewPatient: b.isNewPatient,
  };
}

export function renderBookingUpdate(req: PendingRequest, b: SandboxBooking | undefined): BookingUpdate {
  return {
    requestId: req.requestId,
    bookingId: req.bookingId ?? 0,
    pmsAppointmentIds: b ? [...b.pmsAppointmentIds] : [],
    ...(b?.pmsPatientId ? { pmsPatientId: b.pmsPatientId } : {}),
    updatedAt: req.createdAt,
    bookingStatus: (req.payload.bookingStatus as BookingStatus | undefined) ?? 'Cancelled',
  };
}
