// The admin API over HTTP, under /__admin (no auth: bind the sandbox to
// localhost). JSON in, JSON out; errors are {error} with 400/404/409.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { describeIssue } from '../healthengine/zod-issues.ts';
import { ApiError, badRequest } from './api-error.ts';
import type { SandboxAdmin } from './admin.ts';
import { bestEffortJson, readRaw, sendJson } from './http-io.ts';
import { Router } from './router.ts';
import type { RequestType } from '../healthengine/schemas.ts';

export const ADMIN_BASE_PATH = '/__admin';

interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handle(admin: SandboxAdmin, params: Record<string, string>, body: unknown, query: URLSearchParams): { status: number; body?: unknown };
}

const FaultBodySchema = z.object({
  method: z.string().optional(),
  path: z.string().optional(),
  /** A regular expression over the path below the API base. */
  pathPattern: z.string().optional(),
  times: z.int().min(1).optional(),
  status: z.int().min(100).max(599).optional(),
  body: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  reset: z.boolean().optional(),
  delayMs: z.int().min(0).max(600_000).optional(),
});

const obj = (body: unknown): Record<string, unknown> =>
  body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
const num = (raw: string | undefined): number => {
  if (!raw || !/^\d+$/.test(raw)) throw badRequest('id must be a positive integer');
  return Number(raw);
};

const ROUTES: AdminRoute[] = [
  {
    method: 'GET',
    path: '/calls',
    handle: (a, _p, _b, q) => ({
      status: 200,
      body: a.calls({
        ...(q.get('method') ? { method: q.get('method') ?? '' } : {}),
        ...(q.get('path') ? { path: q.get('path') ?? '' } : {}),
        ...(q.get('practiceId') ? { practiceId: q.get('practiceId') ?? '' } : {}),
      }),
    }),
  },
  { method: 'DELETE', path: '/calls', handle: (a) => (a.clearCalls(), { status: 204 }) },
  { method: 'GET', path: '/webhooks', handle: (a) => ({ status: 200, body: a.webhookDeliveries() }) },
  { method: 'POST', path: '/practices', handle: (a, _p, b) => (a.addPractice(obj(b) as never), { status: 201, body: {} }) },
  { method: 'GET', path: '/practices/{practiceId}', handle: (a, p) => ({ status: 200, body: a.getPractice(p.practiceId ?? '') }) },
  {
    method: 'PUT',
    path: '/practices/{practiceId}/consent',
    handle: (a, p, b) => (a.setConsent(p.practiceId ?? '', obj(b).consent as never), { status: 200, body: {} }),
  },
  {
    method: 'POST',
    path: '/practices/{practiceId}/bookings',
    handle: (a, p, b) => ({ status: 201, body: { bookingId: a.book({ ...obj(b), practiceId: p.practiceId } as never) } }),
  },
  {
    method: 'GET',
    path: '/practices/{practiceId}/bookings/{bookingId}',
    handle: (a, p) => ({ status: 200, body: a.getBooking(p.practiceId ?? '', num(p.bookingId)) }),
  },
  {
    method: 'POST',
    path: '/practices/{practiceId}/bookings/{bookingId}/cancel',
    handle: (a, p) => ({ status: 201, body: { requestId: a.cancelBooking(p.practiceId ?? '', num(p.bookingId)) } }),
  },
  {
    method: 'POST',
    path: '/practices/{practiceId}/bookings/{bookingId}/appointmentChanges',
    handle: (a, p) => ({ status: 201, body: { requestId: a.requestAppointmentChanges(p.practiceId ?? '', num(p.bookingId)) } }),
  },
  {
    method: 'POST',
    path: '/practices/{practiceId}/requests/{type}',
    handle: (a, p, b) => ({
      status: 201,
      body: { requestId: a.enqueue(p.practiceId ?? '', p.type as RequestType, obj(b)) },
    }),
  },
  {
    method: 'POST',
    path: '/faults',
    handle: (a, _p, b) => {
      const parsed = FaultBodySchema.safeParse(b ?? {});
      if (!parsed.success) throw badRequest(describeIssue(parsed.error, 'body'));
      const { pathPattern, ...rule } = parsed.data;
      a.injectFault({ ...rule, ...(pathPattern !== undefined ? { path: new RegExp(pathPattern) } : {}) });
      return { status: 201, body: {} };
    },
  },
  { method: 'DELETE', path: '/faults', handle: (a) => (a.clearFaults(), { status: 204 }) },
];

const router = new Router(ROUTES);

export async function handleAdmin(admin: SandboxAdmin, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.slice(ADMIN_BASE_PATH.length) || '/';
  try {
    const body = bestEffortJson((await readRaw(req)).toString('utf8'));
    if (typeof body === 'string') throw badRequest('body is not valid JSON');
    const found = router.match((req.method ?? 'GET').toUpperCase(), path);
    if (found.kind === 'none') throw new ApiError(404, `no admin operation ${path}`);
    if (found.kind === 'wrong-method') throw new ApiError(405, `allowed: ${found.allow.join(', ')}`);
    const answer = found.route.handle(admin, found.params, body, url.searchParams);
    sendJson(res, answer.status, answer.body);
  } catch (err) {
    if (err instanceof ApiError) sendJson(res, err.status, { error: err.message });
    else if (err instanceof SyntaxError) sendJson(res, 400, { error: 'invalid regular expression' });
    else sendJson(res, 500, { error: 'internal sandbox error' });
  }
}
