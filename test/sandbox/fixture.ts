// Shared set-up of the client and sandbox tests: a sandbox on port 0 with
// three practices (consent granted, revoked, never), a client pointed at it,
// and a small practice configuration.
import { HealthengineClient, type HealthengineClientOptions, type PracticeCredentials } from '../../src/healthengine/index.ts';
import type { AvailabilityRange, AvailabilitySnapshot, LivenessContract, PmsAppointmentType, PmsResource } from '../../src/healthengine/index.ts';
import { request } from 'undici';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';

export const API_KEY = 'vendor-api-key-5f3a9c';
export const USER_AGENT = 'Acme PMS (integrations@acme.example) DEV';
export const GRANTED: PracticeCredentials = { practiceId: '1001', practiceKey: 'pk-1001-granted-secret' };
export const REVOKED: PracticeCredentials = { practiceId: '2002', practiceKey: 'pk-2002-revoked-secret' };
export const NEVER: PracticeCredentials = { practiceId: '3003', practiceKey: 'pk-3003-never-secret' };

export function startSandbox(opts: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return createSandbox({
    apiKey: API_KEY,
    practices: [
      { ...GRANTED, consent: 'granted' },
      { ...REVOKED, consent: 'revoked' },
      { ...NEVER, consent: 'never' },
    ],
    ...opts,
  });
}

export function clientFor(sandbox: { url: string }, opts: Partial<HealthengineClientOptions> = {}): HealthengineClient {
  return new HealthengineClient({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    userAgent: USER_AGENT,
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    ...opts,
  });
}

export const LIVENESS: LivenessContract = {
  liveHours: {
    monday: [{ start: '08:00', end: '17:00' }],
    friday: [
      { start: '00:00', end: '12:00' },
      { start: '12:00', end: '23:59' },
    ],
    publicHolidays: [{ start: '09:00', end: '12:00' }],
  },
};

export const RESOURCES: PmsResource[] = [
  { pmsResourceId: 'dr-1', pmsResourceName: 'Dr Ada Lovelace', pmsPractitionerTitle: 'Dr', pmsPractitionerFirstname: 'Ada', pmsPractitionerLastname: 'Lovelace' },
  { pmsResourceId: 'dr-2', pmsResourceName: 'Dr Alan Turing' },
];

export const TYPES: PmsAppointmentType[] = [
  { pmsAppointmentTypeId: 'std', pmsAppointmentTypeName: 'Standard', pmsAppointmentLength: 15, pmsResourceId: '' },
  { pmsAppointmentTypeId: 'long:dr-1', pmsAppointmentTypeName: 'Long', pmsAppointmentLength: 30, pmsResourceId: 'dr-1' },
];

/** A practice-local date `days` from today, YYYY-MM-DD. */
export function dayFromToday(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

export const DAY = dayFromToday(3);

export function snapshot(pmsResourceId: string, date: string, availability: AvailabilityRange[], id?: string): AvailabilitySnapshot {
  return { ...(id !== undefined ? { id } : {}), pmsResourceId, date, availability };
}

/** Liveness, resources, types and one morning of 15-minute slots for dr-1 on DAY. */
export async function seedPractice(client: HealthengineClient, p: PracticeCredentials = GRANTED): Promise<void> {
  await client.postLivenessContract(p, LIVENESS);
  await client.postResourcesSnapshot(p, RESOURCES);
  await client.postAppointmentTypesSnapshot(p, TYPES);
  await client.postAvailabilitySnapshot(p, snapshot('dr-1', DAY, [{ start: '09:00', end: '12:00', slotLength: 900 }]));
}

export const PATIENT = {
  firstname: 'Grace',
  lastname: 'Hopper',
  dob: '09-12-1906',
  phone: '0400000000',
  email: 'grace@example.test',
  gender: 'Female' as const,
};

/** Polls `check` until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
  text: string;
}

/**
 * A PMS API call without the client (which refuses invalid bodies itself):
 * `body` is JSON-encoded unless `rawBody` is given; auth headers default to GRANTED.
 */
export async function rawCall(
  sandbox: { url: string },
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; practice?: PracticeCredentials; omit?: string[] } = {},
): Promise<RawAnswer> {
  const p = opts.practice ?? GRANTED;
  const headers: Record<string, string> = {
    'api-key': API_KEY,
    'practice-id': p.practiceId,
    'practice-key': p.practiceKey,
    'user-agent': USER_AGENT,
    ...(opts.body !== undefined || opts.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  for (const h of opts.omit ?? []) delete headers[h];
  const res = await request(`${sandbox.url}${path}`, {
    method: method as 'GET',
    headers,
    body: opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, json, text };
}

/** A URL on a port nothing listens on (a server bound and closed again). */
export async function unreachableUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/unreachable`;
}
