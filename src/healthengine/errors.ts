// Typed errors of the Healthengine client. Callers branch on `code` (or the
// class), never on message text. Messages never carry secrets or patient data.

export type HealthengineErrorCode =
  | 'unauthorized' // 401: wrong or missing api-key / practice key
  | 'consent_required' // 403: the practice has not granted, or has revoked, consent
  | 'not_found' // 404
  | 'bad_request' // 400 (server's reason), other non-retryable 4xx, or a body the client refused to send
  | 'transient' // network error, 429 or 5xx, retries exhausted
  | 'invalid_response' // 2xx whose body is not JSON or does not match its schema
  | 'gone'; // 410: already handled or expired

export interface HealthengineErrorDetails {
  /** "METHOD /path/template", e.g. "POST /bookings/{bookingId}/confirmInsert". */
  endpoint: string;
  /** HTTP status, when an answer was received. */
  status?: number;
  /** The server's `error` text (400, 403, 410), when it gave one. */
  reason?: string | undefined;
  /**
   * Attempts made, retries included; undefined when no call was made. A 400
   * on a second attempt of a POST may mean the first one landed (e.g. a
   * confirmInsert whose answer was lost): check before treating it as refused.
   */
  attempts?: number | undefined;
  cause?: unknown;
}

export class HealthengineError extends Error {
  readonly code: HealthengineErrorCode;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly attempts: number | undefined;

  constructor(code: HealthengineErrorCode, message: string, details: HealthengineErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HealthengineError';
    this.code = code;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.reason = details.reason;
    this.attempts = details.attempts;
  }
}

export class HealthengineUnauthorizedError extends HealthengineError {
  declare readonly code: 'unauthorized';
  constructor(details: HealthengineErrorDetails) {
    super('unauthorized', `${details.endpoint}: unauthorized (check the api-key and the practice id/key)`, details);
    this.name = 'HealthengineUnauthorizedError';
  }
}

export class HealthengineConsentRequiredError extends HealthengineError {
  declare readonly code: 'consent_required';
  constructor(details: HealthengineErrorDetails) {
    super(
      'consent_required',
      `${details.endpoint}: the practice has no live consent for this vendor; grant it in Healthengine Practice Admin`,
      details,
    );
    this.name = 'HealthengineConsentRequiredError';
  }
}

export class HealthengineNotFoundError extends HealthengineError {
  declare readonly code: 'not_found';
  constructor(details: HealthengineErrorDetails) {
    super('not_found', `${details.endpoint}: not found`, details);
    this.name = 'HealthengineNotFoundError';
  }
}

export class HealthengineBadRequestError extends HealthengineError {
  declare readonly code: 'bad_request';
  declare readonly reason: string;
  constructor(details: HealthengineErrorDetails & { reason: string }) {
    super('bad_request', `${details.endpoint}: bad request: ${details.reason}`, details);
    this.name = 'HealthengineBadRequestError';
  }
}

export class HealthengineGoneError extends HealthengineError {
  declare readonly code: 'gone';
  constructor(details: HealthengineErrorDetails) {
    super('gone', `${details.endpoint}: gone${details.reason ? `: ${details.reason}` : ''}`, details);
    this.name = 'HealthengineGoneError';
  }
}

export class HealthengineTransientError extends HealthengineError {
  declare readonly code: 'transient';
  /** How many attempts were made before giving up. */
  declare readonly attempts: number;
  /** What the last attempt ran into: "status 503" or a network error code. */
  readonly lastFailure: string;
  constructor(details: HealthengineErrorDetails & { attempts: number; lastFailure: string }) {
    super(
      'transient',
      `${details.endpoint}: failed after ${details.attempts} attempt(s), last: ${details.lastFailure}`,
      details,
    );
    this.name = 'HealthengineTransientError';
    this.lastFailure = details.lastFailure;
  }
}

export class HealthengineInvalidResponseError extends HealthengineError {
  declare readonly code: 'invalid_response';
  /** The offending field, e.g. "data[0].bookingId", or "(body)" when it is not JSON. */
  readonly field: string;
  readonly problem: string;
  constructor(details: HealthengineErrorDetails & { field: string; problem: string }) {
    super('invalid_response', `${details.endpoint}: invalid response at ${details.field}: ${details.problem}`, details);
    this.name = 'HealthengineInvalidResponseError';
    this.field = details.field;
    this.problem = details.problem;
  }
}

export type AnyHealthengineError =
  | HealthengineUnauthorizedError
  | HealthengineConsentRequiredError
  | HealthengineNotFoundError
  | HealthengineBadRequestError
  | HealthengineGoneError
  | HealthengineTransientError
  | HealthengineInvalidResponseError;

export function isHealthengineError(err: unknown, code?: HealthengineErrorCode): err is HealthengineError {
  return err instanceof HealthengineError && (code === undefined || err.code === code);
}

/** The typed error for a non-2xx answer that is not retried. */
export function errorForStatus(status: number, details: HealthengineErrorDetails): HealthengineError {
  switch (status) {
    case 401:
      return new HealthengineUnauthorizedError({ ...details, status });
    case 403:
      return new HealthengineConsentRequiredError({ ...details, status });
    case 404:
      return new HealthengineNotFoundError({ ...details, status });
    case 410:
      return new HealthengineGoneError({ ...details, status });
    default:
      return new HealthengineBadRequestError({ ...details, status, reason: details.reason ?? `status ${status}` });
  }
}
