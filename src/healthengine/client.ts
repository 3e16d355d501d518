// Typed client of the Healthengine PMS API 1.9.0. Each method takes the
// practice credentials first. Methods are grouped by area:
//   client-config.ts     configuration, availability, features, subscriptions
//   client-bookings.ts   requests and bookings
//   client-documents.ts  extra features (documents, client snapshots, attach documents)
// Errors: errors.ts. Retries: retry-policy.ts. Transport: http.ts.
import { ClientCore, type HealthengineClientOptions } from './client-core.ts';
import { DocumentEndpoints } from './client-documents.ts';

export type { PracticeCredentials, RetryOptions } from './http.ts';
export { CLIENT_DEFAULTS, type HealthengineClientOptions } from './client-core.ts';

export class HealthengineClient extends DocumentEndpoints {
  constructor(opts: HealthengineClientOptions) {
    super(new ClientCore(opts));
  }

  /** Closes the connection pool; pending retries stop waiting. */
  close(): Promise<void> {
    return this.core.close();
  }
}
