// Webhook subscriptions, their error log, and the payload delivered to a callback.
import { z } from 'zod';
import { DateTimeString, Id, Int64, isHttpUrl } from './common.ts';
import { RequestTypeSchema } from './requests.ts';

export const SubscriptionTopicSchema = z.enum([
  'requests.*',
  'requests.bookings',
  'requests.bookingUpdates',
  'requests.availability',
  'requests.pmsAppointmentChanges',
  'requests.pmsResources',
  'requests.pmsAppointmentTypes',
  'requests.availableDocuments',
  'requests.uploadDocuments',
  'requests.clientSnapshots',
  'requests.attachDocuments',
]);
export type SubscriptionTopic = z.infer<typeof SubscriptionTopicSchema>;

export const ClientIdSchema = z.string();

/** As sent to POST /subscription (create, or update when `id` is set). */
export const SubscriptionSchema = z.object({
  id: z.string().optional(),
  clientId: ClientIdSchema.optional(),
  topic: SubscriptionTopicSchema,
  callbackUrl: z.string().refine(isHttpUrl, 'must be an absolute http(s) URL'),
  /** UTC; defaults to now. */
  startAt: DateTimeString.optional(),
  /** UTC; absent or null means no expiry. Set one and renew. */
  expireAt: DateTimeString.nullable().optional(),
});
export type SubscriptionInput = z.infer<typeof SubscriptionSchema>;

/**
 * As answered: `id` is always set; clientId, startAt and expireAt may come
 * back null ("default null if not set").
 */
export const StoredSubscriptionSchema = z.object({
  id: Id,
  clientId: ClientIdSchema.nullable().optional(),
  topic: SubscriptionTopicSchema,
  callbackUrl: z.string(),
  startAt: DateTimeString.nullable().optional(),
  expireAt: DateTimeString.nullable().optional(),
});
export type Subscription = z.infer<typeof StoredSubscriptionSchema>;

export const SubscriptionPayloadDataSchema = z.object({
  target: z.string().nullable().optional(),
  requestType: z.string().optional(),
  bookingId: Int64.optional(),
  requestId: Int64.optional(),
});

export const SubscriptionErrorLogPayloadSchema = z.object({
  id: z.string().optional(),
  timestamp: DateTimeString.optional(),
  clientId: ClientIdSchema.nullable().optional(),
  topic: SubscriptionTopicSchema.optional(),
  data: SubscriptionPayloadDataSchema.optional(),
});

export const SubscriptionErrorLogSchema = z.object({
  id: z.string().optional(),
  subscriptionId: z.string().optional(),
  subscriptionTopic: SubscriptionTopicSchema.optional(),
  clientId: ClientIdSchema.nullable().optional(),
  callbackUrl: z.string().optional(),
  payload: SubscriptionErrorLogPayloadSchema.optional(),
  attempt: Int64.optional(),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type SubscriptionErrorLog = z.infer<typeof SubscriptionErrorLogSchema>;

export interface SubscriptionErrorLogQuery {
  subscriptionId?: string;
  /** UTC, YYYY-MM-DD HH:MM:SS. */
  from?: string;
  to?: string;
  page?: number;
}

/**
 * The skinny body POSTed to a callbackUrl (no patient data). `topic` is the
 * subscription's topic (may be `requests.*`); `data.requestType` says which
 * queue has work. On receipt, fetch and process all outstanding work of
 * that type, not just the one id.
 */
export const WebhookPayloadSchema = z.object({
  timestamp: DateTimeString,
  id: z.string(),
  clientId: ClientIdSchema.nullable().optional(),
  topic: SubscriptionTopicSchema,
  data: z.object({
    /** Null for pmsResources and pmsAppointmentTypes: answer by pushing the snapshot. */
    target: z.string().nullable().optional(),
    requestType: RequestTypeSchema,
    bookingId: Int64.optional(),
    requestId: Int64.optional(),
  }),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
