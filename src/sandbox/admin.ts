// The sandbox's admin API for tests and the demo: act as a patient (book,
// cancel), as Healthengine (ask for availability, appointment changes or
// any request), manage practices and consent, and inspect everything.
// admin-http.ts serves the same operations under /__admin.
import { z } from 'zod';
import {
  AttachDocumentSchema,
  ClientSnapshotDateTypeSchema,
  DateString,
  Id,
  Int64,
  PatientSchema,
  RequestTypeSchema,
  TimeString,
  type AvailabilityRange,
  type BookingStatus,
  type RequestType,
} from '../healthengine/schemas.ts';
import { describeIssue } from '../healthengine/zod-issues.ts';
import { ApiError, badRequest, notFound } from './api-error.ts';
import { apiStatus, book, findBooking, patientCancel } from './bookings.ts';
import type { FaultInjector, FaultRule } from './faults.ts';
import type { CallFilter, RecordedCall } from './inspection.ts';
import { enqueue, typeIsLive } from './queue.ts';
import { renderSubscription } from './routes/subscriptions.ts';
import type { Consent, HandledRequest, PendingRequest, PracticeSeed, PracticeState, SandboxBooking, SandboxState, StoredErrorLog } from './state.ts';
import type { WebhookDelivery } from './webhooks.ts';

export const ConsentSchema = z.enum(['granted', 'revoked', 'never']);
export const PracticeSeedSchema = z.object({ practiceId: Id, practiceKey: Id, consent: ConsentSchema });

export const BookRequestSchema = z.object({
  practiceId: Id,
  /** Normally assigned by the sandbox; set it to mirror fixed ids of a fixture. */
  bookingId: Int64.min(1).optional(),
  pmsResourceId: Id,
  date: DateString,
  time: TimeString,
  pmsAppointmentTypeId: Id.optional(),
  patient: PatientSchema.extend({ firstname: Id, lastname: Id }),
  reason: z.string().optional(),
  comments: z.string().optional(),
  isNewPatient: z.boolean().optional(),
  telehealthUrl: z.string().optional(),
});
export type BookRequest = z.input<typeof BookRequestSchema>;

/** What enqueue() needs per request type (bookings come from book() only). */
const PAYLOADS: Record<Exclude<RequestType, 'bookings'>, z.ZodType> = {
  bookingUpdates: z.object({ bookingId: Int64, bookingStatus: z.enum(['Requested', 'Confirmed', 'Cancelled']).default('Cancelled') }),
  availability: z.object({ day: DateString, pmsResourceId: Id.optional() }),
  pmsAppointmentChanges: z.object({ bookingId: Int64 }),
  pmsResources: z.object({}),
  pmsAppointmentTypes: z.object({}),
  availableDocuments: z.object({ bookingId: Int64 }),
  uploadDocuments: z.object({ bookingId: Int64, pmsDocumentId: Id }),
  clientSnapshots: z.object({ date: DateString, dateType: ClientSnapshotDateTypeSchema }),
  attachDocuments: AttachDocumentSchema,
};

export interface BookingView extends SandboxBooking {
  bookingStatus: BookingStatus;
}

export interface PracticeView {
  practiceId: string;
  consent: Consent;
  liveness: PracticeState['liveness'];
  resources: PracticeState['resources'];
  appointmentTypes: PracticeState['appointmentTypes'];
  /** resource id -> date -> ranges */
  availability: Record<string, Record<string, AvailabilityRange[]>>;
  features: ReturnType<PracticeState['features']['get']>[];
  subscriptions: ReturnType<typeof renderSubscription>[];
  errorLog: StoredErrorLog[];
  bookings: BookingView[];
  pendingRequests: PendingRequest[];
  handledRequests: HandledRequest[];
  documents: { available: unknown[]; uploaded: unknown[]; rejectedUploads: unknown[]; clientSnapshots: unknown[] };
}

function check<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(describeIssue(parsed.error));
  return parsed.data;
}

export class SandboxAdmin {
  readonly #state: SandboxState;
  readonly #faults: FaultInjector;

  constructor(state: SandboxState, faults: FaultInjector) {
    this.#state = state;
    this.#faults = faults;
  }

  #practice(practiceId: string): PracticeState {
    const p = this.#state.practices.get(practiceId);
    if (!p) throw notFound(`practice ${practiceId} not found`);
    return p;
  }

  addPractice(seed: PracticeSeed): void {
    const valid = check(PracticeSeedSchema, seed);
    if (this.#state.practices.has(valid.practiceId)) throw new ApiError(409, `practice ${valid.practiceId} already exists`);
    this.#state.addPractice(valid);
  }

  setConsent(practiceId: string, consent: Consent): void {
    this.#practice(practiceId).consent = check(ConsentSchema, consent);
  }

  /** A patient books a published slot; returns the booking id. 409 when the slot is not bookable. */
  book(request: BookRequest): number {
    const { practiceId, ...input } = check(BookRequestSchema, request);
    return book(this.#state, this.#practice(practiceId), input).bookingId;
  }

  /** The patient cancels; returns the bookingUpdates request id. */
  cancelBooking(practiceId: string, bookingId: number): number {
    return patientCancel(this.#state, this.#practice(practiceId), bookingId).requestId;
  }

  /** Healthengine asks for availability of a day (and maybe one resource). */
  requestAvailability(practiceId: string, req: { day: string; pmsResourceId?: string }): number {
    return this.enqueue(practiceId, 'availability', req);
  }

  /** Healthengine asks the PMS what became of a booking. */
  requestAppointmentChanges(practiceId: string, bookingId: number): number {
    return this.enqueue(practiceId, 'pmsAppointmentChanges', { bookingId });
  }

  /** Queues any request type but bookings (use book()); returns its request id. */
  enqueue(practiceId: string, type: RequestType, payload: Record<string, unknown> = {}): number {
    const practice = this.#practice(practiceId);
    const t = check(RequestTypeSchema, type);
    if (t === 'bookings') throw badRequest('bookings come from book(): a patient books a published slot');
    if (!typeIsLive(practice, t)) throw new ApiError(409, `${t} requests only come once their feature is enabled`);
    const data = check(PAYLOADS[t], payload) as Record<string, unknown>;
    const bookingId = typeof data.bookingId === 'number' ? data.bookingId : undefined;
    if (bookingId !== undefined) findBooking(practice, bookingId);
    const req = enqueue(this.#state, practice, t, data, bookingId);
    if (t === 'attachDocuments') practice.attachDocuments.set(req.requestId, { document: data, handled: false });
    return req.requestId;
  }

  getPractice(practiceId: string): PracticeView {
    const p = this.#practice(practiceId);
    const availability: PracticeView['availability'] = {};
    for (const [resource, byDate] of p.availability) {
      availability[resource] = Object.fromEntries([...byDate].map(([date, snap]) => [date, snap.availability]));
    }
    return structuredClone({
      practiceId: p.practiceId,
      consent: p.consent,
      liveness: p.liveness,
      resources: p.resources,
      appointmentTypes: p.appointmentTypes,
      availability,
      features: [...p.features.values()],
      subscriptions: [...p.subscriptions.values()].map(renderSubscription),
      errorLog: p.errorLog,
      bookings: [...p.bookings.values()].map((b) => ({ ...b, bookingStatus: apiStatus(b.state) })),
      pendingRequests: p.pending,
      handledRequests: p.handled,
      documents: {
        available: p.availableDocuments,
        uploaded: p.uploadedDocuments,
        rejectedUploads: p.rejectedUploads,
        clientSnapshots: p.clientSnapshots,
      },
    });
  }

  getBooking(practiceId: string, bookingId: number): BookingView {
    const b = findBooking(this.#practice(practiceId), bookingId);
    return structuredClone({ ...b, bookingStatus: apiStatus(b.state) });
  }

  /** Every PMS API call received, oldest first, secrets masked. */
  calls(filter?: CallFilter): RecordedCall[] {
    return this.#state.calls.list(filter);
  }

  clearCalls(): void {
    this.#state.calls.clear();
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.#state.webhooks.deliveries();
  }

  injectFault(rule: FaultRule): void {
    this.#faults.add(rule);
  }

  clearFaults(): void {
    this.#faults.clear();
  }
}
