// Webhook delivery: each new request is POSTed, as Healthengine's skinny
// payload, to every live subscription of the practice whose topic matches.
// The receiver has `timeoutMs` (5 s) to answer 2xx; otherwise the failure goes
// to the subscription error log and the delivery is retried after 10, 100 and
// 1000 s (sandbox seconds, scaled by the time scale), then given up.
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import type { RequestType, WebhookPayload } from '../healthengine/schemas.ts';
import { formatUtcDateTime, parseUtcDateTime, type Clock, type Scheduler } from './clock.ts';
import type { PendingRequest, PracticeState, StoredSubscription } from './state.ts';

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  outcome: 'delivered' | 'timeout' | 'http_error' | 'connection_error';
  status?: number;
  durationMs: number;
}

export interface WebhookDelivery {
  deliveryId: number;
  practiceId: string;
  subscriptionId: string;
  callbackUrl: string;
  payload: WebhookPayload;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
}

/** Where the receiver should look for the work; null where there is no GET. */
const TARGET: Record<RequestType, string | null> = {
  bookings: '/requests/bookings',
  bookingUpdates: '/requests/bookingUpdates',
  availability: '/requests/availability',
  pmsAppointmentChanges: '/requests/pmsAppointmentChanges',
  pmsResources: null,
  pmsAppointmentTypes: null,
  availableDocuments: '/requests/availableDocuments',
  uploadDocuments: '/requests/uploadDocuments',
  clientSnapshots: '/requests/clientSnapshots',
  attachDocuments: '/requests/attachDocuments',
};

/** The spec's callbacks: bookings carry bookingId only; these carry bookingId beside requestId. */
const WITH_BOOKING_ID: ReadonlySet<RequestType> = new Set([
  'bookingUpdates',
  'pmsAppointmentChanges',
  'availableDocuments',
  'uploadDocuments',
]);

export function subscriptionMatches(sub: StoredSubscription, type: RequestType, nowMs: number): boolean {
  if (sub.topic !== 'requests.*' && sub.topic !== `requests.${type}`) return false;
  if (sub.startAt !== null && parseUtcDateTime(sub.startAt) > nowMs) return false;
  if (sub.expireAt !== null && parseUtcDateTime(sub.expireAt) <= nowMs) return false;
  return true;
}

export class WebhookDispatcher {
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #retryDelaysSeconds: readonly number[];
  readonly #agent = new Agent({ keepAliveTimeout: 1_000 });
  readonly #closing = new AbortController();
  readonly #deliveries: WebhookDelivery[] = [];
  #inFlight = new Set<Promise<void>>();

  constructor(opts: { clock: Clock; scheduler: Scheduler; logger: Logger; timeoutMs: number; retryDelaysSeconds: readonly number[] }) {
    this.#clock = opts.clock;
    this.#scheduler = opts.scheduler;
    this.#logger = opts.logger;
    this.#timeoutMs = opts.timeoutMs;
    this.#retryDelaysSeconds = opts.retryDelaysSeconds;
  }

  /** Called for every new request: starts a delivery per matching subscription. */
  notify(practice: PracticeState, req: PendingRequest): void {
    const now = this.#clock.now();
    for (const sub of practice.subscriptions.values()) {
      if (!subscriptionMatches(sub, req.type, now)) continue;
      const data: WebhookPayload['data'] = { target: TARGET[req.type], requestType: req.type };
      if (req.type === 'bookings' || WITH_BOOKING_ID.has(req.type)) {
        if (req.bookingId !== undefined) data.bookingId = req.bookingId;
      }
      if (req.type !== 'bookings') data.requestId = req.requestId;
      const delivery: WebhookDelivery = {
        deliveryId: this.#deliveries.length + 1,
        practiceId: practice.practiceId,
        subscriptionId: sub.id,
        callbackUrl: sub.callbackUrl,
        payload: { timestamp: formatUtcDateTime(now), id: sub.id, clientId: sub.clientId, topic: sub.topic, data },
        state: 'pending',
        attempts: [],
      };
      this.#deliveries.push(delivery);
      this.#track(this.#attempt(practice, sub, delivery));
    }
  }

  deliveries(): WebhookDelivery[] {
    return structuredClone(this.#deliveries);
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #attempt(practice: PracticeState, sub: StoredSubscription, delivery: WebhookDelivery): Promise<void> {
    if (this.#closing.signal.aborted) return;
    if (practice.subscriptions.get(sub.id) !== sub) {
      delivery.state = 'failed'; // deleted or replaced meanwhile: nobody to deliver to
      return;
    }
    const attempt = delivery.attempts.length + 1;
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const record: DeliveryAttempt = { attempt, at: new Date(this.#clock.now()).toISOString(), outcome: 'delivered', durationMs: 0 };
    let errorMessage = '';
    try {
      const res = await request(delivery.callbackUrl, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { 'content-type': 'application/json', 'user-agent': 'Healthengine-Sandbox' },
        body: JSON.stringify(delivery.payload),
        signal: AbortSignal.any([timeout, this.#closing.signal]),
      });
      await res.body.dump({ limit: 64 * 1024, signal: AbortSignal.any([timeout, this.#closing.signal]) });
      record.status = res.statusCode;
      if (res.statusCode < 200 || res.statusCode > 299) {
        record.outcome = 'http_error';
        errorMessage = `callback answered HTTP ${res.statusCode}`;
      }
    } catch (err) {
      if (this.#closing.signal.aborted) return;
      if (timeout.aborted) {
        record.outcome = 'timeout';
        errorMessage = `no answer within ${this.#timeoutMs} ms`;
      } else {
        record.outcome = 'connection_error';
        errorMessage = `could not deliver: ${(err as { code?: string }).code ?? (err as Error).message}`;
      }
    }
    record.durationMs = Math.round(performance.now() - started);
    delivery.attempts.push(record);
    if (record.outcome === 'delivered') {
      delivery.state = 'delivered';
      return;
    }
    practice.errorLog.push({
      id: crypto.randomUUID(),
      subscriptionId: sub.id,
      subscriptionTopic: sub.topic,
      ...(sub.clientId !== null ? { clientId: sub.clientId } : {}),
      callbackUrl: sub.callbackUrl,
      payload: delivery.payload,
      attempt,
      errorType: record.outcome,
      errorMessage,
      createdAt: formatUtcDateTime(this.#clock.now()),
    });
    const delay = this.#retryDelaysSeconds[attempt - 1];
    this.#logger.info({ practiceId: practice.practiceId, subscriptionId: sub.id, attempt, outcome: record.outcome }, 'webhook delivery failed');
    if (delay === undefined) {
      delivery.state = 'failed';
      return;
    }
    this.#scheduler.afterSeconds(delay, () => this.#track(this.#attempt(practice, sub, delivery)));
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#inFlight]);
    await this.#agent.destroy();
  }
}
