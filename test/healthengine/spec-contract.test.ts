// The client's operations, the sandbox's routes and Healthengine's published
// examples held against openapi.yaml itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmBookingInsertInboundSchema, ConfirmBookingInsertSchema, ENDPOINTS } from '../../src/healthengine/index.ts';
import { API_ROUTES, type Sandbox } from '../../src/sandbox/index.ts';
import {
  findOperation,
  loadPostman,
  trafficProblems,
  postmanRequests,
  requestBodySchema,
  spec,
  specOperations,
  validateAgainstSpec,
  type PostmanRequest,
} from '../support/openapi.ts';
import { GRANTED, rawCall, startSandbox } from '../sandbox/fixture.ts';

const key = (method: string, path: string) => `${method} ${path}`;

describe.skipIf(!spec)('operations against openapi.yaml', () => {
  const s = spec!;
  const specOps = () => specOperations(s).map((o) => key(o.method, o.path)).sort();

  it('every operation the client calls exists in the spec with the same method and path', () => {
    const missing = Object.entries(ENDPOINTS)
      .filter(([, e]) => !specOps().includes(key(e.method, e.path)))
      .map(([name, e]) => `${name}: ${key(e.method, e.path)}`);
    expect(missing).toEqual([]);
  });

  it('the client covers every operation of the spec', () => {
    const ours = Object.values(ENDPOINTS).map((e) => key(e.method, e.path));
    expect(specOps().filter((k) => !ours.includes(k))).toEqual([]);
  });

  it('the sandbox has exactly the spec operations, under the spec operationIds', () => {
    const routes = API_ROUTES.map((r) => `${key(r.method, r.path)} ${r.operationId}`).sort();
    const declared = specOperations(s).map((o) => `${key(o.method, o.path)} ${o.op.operationId}`).sort();
    expect(routes).toEqual(declared);
  });

  it('the sandbox routes take a body exactly where the spec declares one', () => {
    const mismatched = API_ROUTES.filter((r) => {
      const op = specOperations(s).find((o) => o.method === r.method && o.path === r.path);
      return Boolean(op && requestBodySchema(op)) !== Boolean(r.body);
    }).map((r) => key(r.method, r.path));
    expect(mismatched).toEqual([]);
  });
});

describe.skipIf(!spec)('the spec checks themselves', () => {
  it('catch a wrong type, a missing required field, a bad format, an unlisted status and an unknown operation', () => {
    const booking = { bookingId: 'x', bookingStatus: 'Requested', bookedTime: '2024-01-01T00:00:00Z', patient: { dob: '1990-01-31' } };
    const problems = trafficProblems(spec!, [
      { method: 'GET', path: '/requests/bookings', body: undefined, status: 200, response: { data: [booking] } },
      { method: 'POST', path: '/availability/snapshot', body: { date: '2024-01-01', availability: [] }, status: 200, response: undefined },
      { method: 'POST', path: '/bookings/1/confirmUpdate/2', body: undefined, status: 418, response: undefined },
      { method: 'GET', path: '/nowhere', body: undefined, status: 200, response: undefined },
    ]);
    expect(problems).toEqual([
      'GET /requests/bookings response.data[0].bookingId: expected integer',
      'GET /requests/bookings response.data[0].bookedTime: not a datetime',
      'GET /requests/bookings response.data[0].patient.dob: not a DD-MM-YYYY date',
      'POST /availability/snapshot request body.pmsResourceId: required',
      'POST /bookings/1/confirmUpdate/2: status 418 is not listed for this operation',
      'GET /nowhere: not an operation of the spec',
    ]);
  });
});

describe.skipIf(!spec)('the sandbox over HTTP serves every path of openapi.yaml', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('answers each operation as an operation (never "no such operation" or 405)', async () => {
    const unserved: string[] = [];
    for (const o of specOperations(spec!)) {
      const path = o.path.replace(/\{\w+\}/g, '1');
      const res = await rawCall(sandbox, o.method, path, requestBodySchema(o) ? { body: {} } : {});
      const error = (res.json as { error?: string } | undefined)?.error ?? '';
      if (res.status === 405 || error.startsWith('no operation')) unserved.push(`${key(o.method, o.path)} -> ${res.status} ${error}`);
    }
    expect(unserved).toEqual([]);
  });

  it("refuses Postman's PUT /subscription/{id}, which the spec does not have, with 405 and Allow", async () => {
    const res = await rawCall(sandbox, 'PUT', '/subscription/abc', { body: { topic: 'requests.bookings', callbackUrl: 'https://x.example/h' } });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, DELETE');
  });
});

const postman = loadPostman();

describe.skipIf(!spec || !postman)("Healthengine's published examples", () => {
  const s = spec!;
  const examples = postman ? postmanRequests(postman.collection) : [];
  const withBody = examples.filter((e) => e.body !== undefined);

  it('disagree with the spec exactly where API-FACTS says they do', () => {
    const disagreements: string[] = [];
    for (const e of withBody) {
      const op = findOperation(s, e.method, e.path);
      const schema = op && requestBodySchema(op);
      if (!schema) continue;
      for (const problem of validateAgainstSpec(s, schema, e.body)) disagreements.push(`${e.method} ${e.path} ${problem.replace(/\[\d+\]/g, '[]')}`);
    }
    expect([...new Set(disagreements)].sort()).toEqual([
      'POST /config/pmsAppointmentTypes/snapshot body[].pmsAppointmentLength: expected integer',
      'POST /documents/available body[].updatedAt: null not allowed',
      'POST /documents/upload body.updatedAt: null not allowed',
    ]);
  });

  it("the spec's own ConfirmBookingInsert example (integer ids) is accepted inbound, never sent", () => {
    const raw = (s.components.schemas.ConfirmBookingInsert as { example?: Record<string, { value: unknown }> }).example;
    const value = raw?.WhatsAppAppointment?.value;
    expect(ConfirmBookingInsertSchema.safeParse(value).success).toBe(false);
    expect(ConfirmBookingInsertInboundSchema.parse(value)).toMatchObject({ pmsAppointmentIds: ['12384'] });
  });

  describe('are accepted by the sandbox', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox();
      const find = (m: string, p: string) => withBody.find((e) => e.method === m && e.path === p);
      // configuration first, as a PMS would push it; then a booking with the id the document examples use
      for (const path of ['/config/pmsResources/snapshot', '/config/pmsAppointmentTypes/snapshot', '/availability/snapshot']) {
        const res = await rawCall(sandbox, 'POST', path, { body: find('POST', path)?.body });
        expect(res.status, `${path}: ${res.text}`).toBe(200);
      }
      sandbox.admin.book({ practiceId: GRANTED.practiceId, bookingId: 1, pmsResourceId: '12345', date: '2023-10-01', time: '09:00', patient: { firstname: 'A', lastname: 'B' } });
      for (const f of ['documents', 'clientSnapshots', 'attachDocuments']) await rawCall(sandbox, 'POST', `/features/${f}/enable`);
    });
    afterAll(() => sandbox.close());

    /** Booking, attach-document and subscription examples name ids this sandbox does not have: 404 proves the body passed. */
    function expectedStatus(e: PostmanRequest): number {
      if (e.method === 'PUT') return 405;
      if (/^\/bookings\/|^\/attachDocuments\/|^\/subscription\/[^/]+$/.test(e.path)) return 404;
      if (e.method === 'POST' && e.path === '/subscription') return 201;
      if (e.method === 'DELETE') return 204;
      return 200;
    }

    it.each(examples.map((e) => [`${e.method} ${e.path}`, e] as const))('%s', async (_name, e) => {
      let body = e.body;
      if (e.path === '/clientSnapshot') await rawCall(sandbox, 'POST', '/features/clientSnapshots/enable'); // an earlier example disables it
      if (e.path === '/documents/upload') body = { ...(body as object), documentContent: 'aGVsbG8=' }; // the example holds a placeholder
      const path = e.query ? `${e.path}?${e.query}` : e.path;
      const res = await rawCall(sandbox, e.method, path, body !== undefined ? { body } : {});
      expect(`${res.status} ${res.text}`).toMatch(new RegExp(`^${expectedStatus(e)}\\b`));
      if (e.path === '/subscription' && e.method === 'POST') {
        await rawCall(sandbox, 'DELETE', `/subscription/${(res.json as { id: string }).id}`); // it points at a real-looking host
      }
    });
  });
});
