// Client endpoints: incoming requests (GET /requests...) and booking answers.
import { z } from 'zod';
import { ConfigEndpoints } from './client-config.ts';
import { toPage } from './client-core.ts';
import type { EndpointName } from './endpoints.ts';
import type { PracticeCredentials } from './http.ts';
import {
  AvailabilityRequestSchema,
  BookingSchema,
  BookingUpdateSchema,
  CancelBookingSchema,
  ConfirmBookingInsertSchema,
  DidNotAttendBookingSchema,
  pageOf,
  PmsAppointmentChangesRequestSchema,
  REQUEST_TYPES,
  RejectBookingInsertSchema,
  RejectBookingUpdateSchema,
  type AvailabilityRequest,
  type Booking,
  type BookingUpdate,
  type CancelBooking,
  type ConfirmBookingInsert,
  type DidNotAttendBooking,
  type Page,
  type PmsAppointmentChangesRequest,
  type RejectBookingInsert,
  type RejectBookingUpdate,
  type RequestType,
} from './schemas.ts';

const KNOWN_REQUEST_TYPES: ReadonlySet<string> = new Set(REQUEST_TYPES);

export class RequestAndBookingEndpoints extends ConfigEndpoints {
  /**
   * The request types with pending work, e.g. ["bookings"]. A type this
   * client does not know (added by Healthengine later) is logged and left
   * out rather than failing the whole poll.
   */
  async getRequests(p: PracticeCredentials): Promise<RequestType[]> {
    const types = await this.core.fetch('getRequests', p, z.array(z.string()));
    const unknown = types.filter((t) => !KNOWN_REQUEST_TYPES.has(t));
    if (unknown.length > 0) {
      this.core.logger.warn({ practiceId: p.practiceId, unknown }, 'healthengine reported request types this client does not know');
    }
    return types.filter((t): t is RequestType => KNOWN_REQUEST_TYPES.has(t));
  }

  /** Bookings waiting for confirmInsert / rejectInsert. Process these before any other type. */
  getBookingRequests(p: PracticeCredentials, page?: number): Promise<Page<Booking>> {
    return this.requestPage('getBookingRequests', p, BookingSchema, page);
  }

  /** Changes to bookings (mostly cancellations): confirmUpdate / rejectUpdate. */
  getBookingUpdateRequests(p: PracticeCredentials, page?: number): Promise<Page<BookingUpdate>> {
    return this.requestPage('getBookingUpdateRequests', p, BookingUpdateSchema, page);
  }

  /** Days (and maybe a resource) whose availability Healthengine wants again. */
  getAvailabilityRequests(p: PracticeCredentials, page?: number): Promise<Page<AvailabilityRequest>> {
    return this.requestPage('getAvailabilityRequests', p, AvailabilityRequestSchema, page);
  }

  /** Bookings to answer with cancel, didNotAttend or noPmsAppointmentChange. */
  getPmsAppointmentChangeRequests(p: PracticeCredentials, page?: number): Promise<Page<PmsAppointmentChangesRequest>> {
    return this.requestPage('getPmsAppointmentChangeRequests', p, PmsAppointmentChangesRequestSchema, page);
  }

  protected async requestPage<S extends z.ZodType>(
    name: EndpointName,
    p: PracticeCredentials,
    item: S,
    page: number | undefined,
  ): Promise<Page<z.infer<S>>> {
    this.core.checkPage(name, page);
    const raw = await this.core.fetch(name, p, pageOf(item), { query: { page } });
    return toPage(raw as { data?: z.infer<S>[]; page?: Page<z.infer<S>>['page'] }, page);
  }

  // --- bookings -------------------------------------------------------------
  /** Accept a booking: it is in the PMS as these appointment(s) for this patient. */
  confirmInsert(p: PracticeCredentials, bookingId: number, body: ConfirmBookingInsert): Promise<void> {
    return this.core.send('confirmInsert', p, { params: { bookingId }, body, bodySchema: ConfirmBookingInsertSchema });
  }

  /** Refuse a booking; do it within 20 s of its creation, after that it is presumed accepted. */
  rejectInsert(p: PracticeCredentials, bookingId: number, body: RejectBookingInsert = {}): Promise<void> {
    return this.core.send('rejectInsert', p, { params: { bookingId }, body, bodySchema: RejectBookingInsertSchema });
  }

  confirmUpdate(p: PracticeCredentials, bookingId: number, requestId: number): Promise<void> {
    return this.core.send('confirmUpdate', p, { params: { bookingId, requestId } });
  }

  rejectUpdate(p: PracticeCredentials, bookingId: number, requestId: number, body: RejectBookingUpdate = {}): Promise<void> {
    return this.core.send('rejectUpdate', p, {
      params: { bookingId, requestId },
      body,
      bodySchema: RejectBookingUpdateSchema,
    });
  }

  /** The booking was cancelled in the PMS. */
  cancelBooking(p: PracticeCredentials, bookingId: number, body: CancelBooking = {}): Promise<void> {
    return this.core.send('cancelBooking', p, { params: { bookingId }, body, bodySchema: CancelBookingSchema });
  }

  /** The patient did not attend. */
  didNotAttend(p: PracticeCredentials, bookingId: number, body: DidNotAttendBooking = {}): Promise<void> {
    return this.core.send('didNotAttend', p, { params: { bookingId }, body, bodySchema: DidNotAttendBookingSchema });
  }

  /** Answer to a pmsAppointmentChanges request: nothing changed since the insert. */
  noPmsAppointmentChange(p: PracticeCredentials, bookingId: number): Promise<void> {
    return this.core.send('noPmsAppointmentChange', p, { params: { bookingId } });
  }
}
