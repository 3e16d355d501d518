// Everything the sandbox holds, per practice. Snapshots replace what came
// before (missing means deleted). Plain data, so admin views are copies.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  AvailabilityRange,
  ClientSnapshot,
  Document,
  DocumentMetadata,
  Feature,
  LivenessContract,
  Patient,
  PmsAppointmentType,
  PmsResource,
  RequestType,
  SubscriptionErrorLog,
  SubscriptionTopic,
} from '../healthengine/schemas.ts';
import { formatUtcDateTime, type Clock, type Scheduler } from './clock.ts';
import { CallLog } from './inspection.ts';
import { WebhookDispatcher } from './webhooks.ts';

export type Consent = 'granted' | 'revoked' | 'never';

export interface PracticeSeed {
  practiceId: string;
  practiceKey: string;
  consent: Consent;
}

export interface StoredSnapshot {
  pmsResourceId: string;
  date: string;
  availability: AvailabilityRange[];
  /** Detects an unchanged re-send ("existing" in batch answers). */
  hash: string;
  receivedAt: string;
}

/** Sandbox-side booking state; the API's bookingStatus is derived from it. */
export type BookingState = 'Requested' | 'Confirmed' | 'Rejected' | 'Cancelled';

export interface SandboxBooking {
  bookingId: number;
  practiceId: string;
  state: BookingState;
  /** Who confirmed it: the PMS (confirmInsert) or the 20 s timer. */
  confirmedBy: 'pms' | 'auto' | null;
  /** Still listed in GET /requests/bookings (not yet confirmed or rejected by the PMS). */
  pendingInsert: boolean;
  /** rejectInsert came after the auto-confirm: the practice must fix it by hand. */
  rejectedTooLate: boolean;
  didNotAttend: boolean;
  cancelledBy: 'patient' | 'pms' | null;
  /** Null once the resource left the resources snapshot before the booking was handled. */
  pmsResourceId: string | null;
  bookedResourceId: string;
  pmsAppointmentTypeId: string | null;
  pmsAppointmentIds: string[];
  pmsPatientId: string | null;
  /** Practice-local date and time of the appointment. */
  date: string;
  time: string;
  lengthSeconds: number;
  bookedTime: string;
  reason?: string;
  comments?: string;
  patient: Patient;
  isNewPatient: boolean;
  telehealthUrl?: string;
  /** Reasons and links the PMS sent, as received. */
  answers: { action: string; at: string; body?: unknown }[];
}

export interface PendingRequest {
  requestId: number;
  type: RequestType;
  /** UTC datetime. */
  createdAt: string;
  bookingId?: number;
  /** Type-specific data (availability: day/pmsResourceId, clientSnapshots: date/dateType, ...). */
  payload: Record<string, unknown>;
}

export interface HandledRequest extends PendingRequest {
  handledAt: string;
  /** How it was answered, e.g. "confirmInsert", "rejectUpdate", "snapshot". */
  outcome: string;
}

export interface StoredSubscription {
  id: string;
  clientId: string | null;
  topic: SubscriptionTopic;
  callbackUrl: string;
  startAt: string | null;
  expireAt: string | null;
}

export interface StoredErrorLog extends SubscriptionErrorLog {
  /** When the failure happened (UTC datetime), for the from/to filters. */
  createdAt: string;
}

export interface PracticeState {
  practiceId: string;
  practiceKey: string;
  consent: Consent;
  liveness: LivenessContract | null;
  resources: PmsResource[] | null;
  appointmentTypes: PmsAppointmentType[] | null;
  /** resource id -> date -> snapshot */
  availability: Map<string, Map<string, StoredSnapshot>>;
  features: Map<string, Feature>;
  subscriptions: Map<string, StoredSubscription>;
  errorLog: StoredErrorLog[];
  bookings: Map<number, SandboxBooking>;
  pending: PendingRequest[];
  handled: HandledRequest[];
  availableDocuments: DocumentMetadata[];
  uploadedDocuments: Document[];
  rejectedUploads: unknown[];
  clientSnapshots: ClientSnapshot[];
  /** attach-document request id -> document content (kept after handling, to answer 410). */
  attachDocuments: Map<number, { document: Record<string, unknown>; handled: boolean }>;
}

export const DEFAULT_FEATURES: readonly Feature[] = [
  { id: 'documents', name: 'Documents', description: 'Send documents (scripts, referrals) related to bookings', enabled: false },
  { id: 'clientSnapshots', name: 'Client snapshots', description: 'Send appointments and patients for a date', enabled: false },
  { id: 'attachDocuments', name: 'Attach documents', description: 'Insert documents from Healthengine into the PMS', enabled: false },
];

/** Request types that only come once their feature is enabled. */
export const FEATURE_OF_REQUEST_TYPE: Partial<Record<RequestType, string>> = {
  availableDocuments: 'documents',
  uploadDocuments: 'documents',
  clientSnapshots: 'clientSnapshots',
  attachDocuments: 'attachDocuments',
};

export function newPractice(seed: PracticeSeed): PracticeState {
  return {
    practiceId: seed.practiceId,
    practiceKey: seed.practiceKey,
    consent: seed.consent,
    liveness: null,
    resources: null,
    appointmentTypes: null,
    availability: new Map(),
    features: new Map(DEFAULT_FEATURES.map((f) => [f.id, { ...f }])),
    subscriptions: new Map(),
    errorLog: [],
    bookings: new Map(),
    pending: [],
    handled: [],
    availableDocuments: [],
    uploadedDocuments: [],
    rejectedUploads: [],
    clientSnapshots: [],
    attachDocuments: new Map(),
  };
}

export interface SandboxSettings {
  apiKey: string;
  perPage: number;
  autoConfirmSeconds: number;
  /** Length used when a range's slotLength is below 60 and no appointment type says otherwise. */
  defaultAppointmentMinutes: number;
  requireVendorUserAgent: boolean;
}

export class SandboxState {
  readonly settings: SandboxSettings;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly practices = new Map<string, PracticeState>();
  readonly calls = new CallLog();
  readonly webhooks: WebhookDispatcher;
  #nextBookingId = 1001;
  #nextRequestId = 501;

  constructor(opts: {
    settings: SandboxSettings;
    clock: Clock;
    scheduler: Scheduler;
    logger: Logger;
    webhookTimeoutMs: number;
    webhookRetryDelaysSeconds: readonly number[];
  }) {
    this.settings = opts.settings;
    this.clock = opts.clock;
    this.scheduler = opts.scheduler;
    this.logger = opts.logger;
    this.webhooks = new WebhookDispatcher({
      clock: opts.clock,
      scheduler: opts.scheduler,
      logger: opts.logger,
      timeoutMs: opts.webhookTimeoutMs,
      retryDelaysSeconds: opts.webhookRetryDelaysSeconds,
    });
  }

  /** UTC "YYYY-MM-DD HH:MM:SS" now. */
  nowUtc(): string {
    return formatUtcDateTime(this.clock.now());
  }

  nextBookingId(): number {
    return this.#nextBookingId++;
  }

  /** Takes a caller-chosen booking id; later generated ids never collide with it. */
  reserveBookingId(id: number): number {
    if (id >= this.#nextBookingId) this.#nextBookingId = id + 1;
    return id;
  }

  nextRequestId(): number {
    return this.#nextRequestId++;
  }

  newId(): string {
    return randomUUID();
  }

  addPractice(seed: PracticeSeed): PracticeState {
    if (this.practices.has(seed.practiceId)) throw new Error(`practice ${seed.practiceId} already exists`);
    const practice = newPractice(seed);
    this.practices.set(seed.practiceId, practice);
    return practice;
  }
}
