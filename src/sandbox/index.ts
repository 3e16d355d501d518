// Public surface of the Healthengine sandbox.
export { createSandbox, type Sandbox, type SandboxOptions } from './server.ts';
export { runSandboxFromCli, parsePracticeSeed, type SandboxCliOptions } from './main.ts';
export { SandboxAdmin, type BookRequest, type BookingView, type PracticeView } from './admin.ts';
export { API_BASE_PATH } from './api-handler.ts';
export { ADMIN_BASE_PATH } from './admin-http.ts';
export { API_ROUTES, type ApiRoute } from './routes/index.ts';
export { MASK, MASKED_HEADERS, type RecordedCall, type CallFilter } from './inspection.ts';
export type { FaultRule } from './faults.ts';
export type { WebhookDelivery, DeliveryAttempt } from './webhooks.ts';
export type { Clock } from './clock.ts';
export type { Consent, PracticeSeed, BookingState } from './state.ts';
