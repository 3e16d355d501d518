// Public surface of the Healthengine PMS API client.
export { HealthengineClient, CLIENT_DEFAULTS } from './client.ts';
export type { HealthengineClientOptions, PracticeCredentials, RetryOptions } from './client.ts';
export * from './errors.ts';
export { ENDPOINTS, endpointLabel, fillPath, type Endpoint, type EndpointName, type HttpMethod } from './endpoints.ts';
export { RETRY_TABLE, retryRuleFor, backoffDelayMs, parseRetryAfter, type RetryRule, type Outcome } from './retry-policy.ts';
export { formatUserAgent, isVendorUserAgent, parseUserAgent, type VendorIdentity } from './user-agent.ts';
export { describeIssue, firstIssue, formatPath } from './zod-issues.ts';
export * from './schemas.ts';
