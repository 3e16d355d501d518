// Glossary of the work the connector queues. A job request is a queue name, a
// key that identifies the work (the debounce unit: any number of changes with
// one key inside the window become one job) and the data the worker needs.
// Workers always re-read current state; data only says *what* to refresh.

export const QUEUES = {
  /** validate a link, push its configuration in order, then availability + requests check */
  linkSync: 'link-sync',
  /** one configuration snapshot of one link */
  configPush: 'config-push',
  /** availability of one calendar of one link on one practice-local date */
  availabilityPush: 'availability-push',
  /** availability of every calendar (or one) of a link over the horizon */
  availabilityFull: 'availability-full',
  /** look for outstanding Healthengine requests of a link */
  requestsCheck: 'requests-check',
  /** a PMS user's resync request row */
  resync: 'resync',
  /** a Healthengine booking cancelled or marked did-not-attend in the PMS */
  appointmentOutbound: 'appointment-outbound',
  /** periodic housekeeping: consent re-checks, outbox pruning */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export type ConfigKind = 'liveness' | 'resources' | 'appointment_types';
export const CONFIG_ORDER: readonly ConfigKind[] = ['liveness', 'resources', 'appointment_types'];

export interface LinkSyncData { linkId: number }
export interface ConfigPushData { linkId: number; generation: number; kind: ConfigKind }
export interface AvailabilityPushData { linkId: number; generation: number; locationId: string; calendarId: string; date: string }
export interface AvailabilityFullData { linkId: number; generation: number; calendarId?: string; locationId?: string }
export interface RequestsCheckData { linkId: number; generation: number; reason: string }
export interface ResyncData { requestId: number }
export interface AppointmentOutboundData { appointmentId: string; state: 'cancelled' | 'did_not_attend' }

export type JobRequest =
  | { queue: typeof QUEUES.linkSync; key: string; data: LinkSyncData }
  | { queue: typeof QUEUES.configPush; key: string; data: ConfigPushData }
  | { queue: typeof QUEUES.availabilityPush; key: string; data: AvailabilityPushData }
  | { queue: typeof QUEUES.availabilityFull; key: string; data: AvailabilityFullData }
  | { queue: typeof QUEUES.requestsCheck; key: string; data: RequestsCheckData }
  | { queue: typeof QUEUES.resync; key: string; data: ResyncData }
  | { queue: typeof QUEUES.appointmentOutbound; key: string; data: AppointmentOutboundData };

export const jobs = {
  linkSync: (linkId: number): JobRequest => ({ queue: QUEUES.linkSync, key: `link:${linkId}`, data: { linkId } }),
  configPush: (linkId: number, generation: number, kind: ConfigKind): JobRequest =>
    ({ queue: QUEUES.configPush, key: `link:${linkId}:g${generation}:${kind}`, data: { linkId, generation, kind } }),
  availabilityPush: (linkId: number, generation: number, locationId: string, calendarId: string, date: string): JobRequest =>
    ({ queue: QUEUES.availabilityPush, key: `link:${linkId}:g${generation}:${locationId}:${calendarId}:${date}`, data: { linkId, generation, locationId, calendarId, date } }),
  availabilityFull: (linkId: number, generation: number, scope: { locationId?: string; calendarId?: string } = {}): JobRequest => ({
    queue: QUEUES.availabilityFull,
    key: `link:${linkId}:g${generation}:${scope.locationId ?? '*'}:${scope.calendarId ?? '*'}`,
    data: { linkId, generation, ...scope },
  }),
  requestsCheck: (linkId: number, generation: number, reason: string): JobRequest =>
    ({ queue: QUEUES.requestsCheck, key: `link:${linkId}:g${generation}`, data: { linkId, generation, reason } }),
  resync: (requestId: number): JobRequest => ({ queue: QUEUES.resync, key: `resync:${requestId}`, data: { requestId } }),
  appointmentOutbound: (appointmentId: string, state: 'cancelled' | 'did_not_attend'): JobRequest =>
    ({ queue: QUEUES.appointmentOutbound, key: `appt:${appointmentId}:${state}`, data: { appointmentId, state } }),
};
