// Configuration routes: liveness contract, resources and appointment types.
import { z } from 'zod';
import {
  LivenessContractSchema,
  PmsAppointmentTypeInboundSchema,
  PmsResourceSchema,
  WEEKDAYS,
  type PmsAppointmentType,
} from '../../healthengine/schemas.ts';
import { badRequest } from '../api-error.ts';
import { resolve } from '../queue.ts';
import type { PracticeState } from '../state.ts';
import { rangeProblem, requireUnique } from '../validation.ts';
import { OK, type ApiRoute, type RouteContext } from './types.ts';

function resourcesSnapshot(ctx: RouteContext) {
  const resources = ctx.body as z.infer<typeof PmsResourceSchema>[];
  requireUnique(resources, (r) => r.pmsResourceId, 'pmsResourceId');
  requireUnique(resources, (r) => r.pmsResourceName, 'pmsResourceName');
  const { practice } = ctx;
  practice.resources = resources;
  const ids = new Set(resources.map((r) => r.pmsResourceId));
  // a booking for a resource removed before it was handled carries a null resource
  for (const b of practice.bookings.values()) {
    if (b.pendingInsert) b.pmsResourceId = ids.has(b.bookedResourceId) ? b.bookedResourceId : null;
  }
  resolve(ctx.state, practice, (r) => r.type === 'pmsResources', 'snapshot');
  return OK;
}

function appointmentTypesSnapshot(ctx: RouteContext) {
  const types = ctx.body as PmsAppointmentType[];
  const { practice } = ctx;
  requireUnique(types, (t) => t.pmsAppointmentTypeId, 'pmsAppointmentTypeId');
  // names are unique among the types of one resource scope ("" = every resource);
  // Healthengine's own example repeats a name across resources
  requireUnique(types, (t) => `${t.pmsResourceId ?? ''}\u0000${t.pmsAppointmentTypeName}`, 'pmsAppointmentTypeName');
  const known = new Set((practice.resources ?? []).map((r) => r.pmsResourceId));
  types.forEach((t, i) => {
    if (t.pmsResourceId && !known.has(t.pmsResourceId)) {
      throw badRequest(`body[${i}].pmsResourceId: '${t.pmsResourceId}' is not in the resources snapshot (push resources first)`);
    }
  });
  practice.appointmentTypes = types;
  resolve(ctx.state, practice, (r) => r.type === 'pmsAppointmentTypes', 'snapshot');
  return OK;
}

function postLiveness(ctx: RouteContext) {
  const contract = ctx.body as z.infer<typeof LivenessContractSchema>;
  for (const day of [...WEEKDAYS, 'publicHolidays'] as const) {
    const problem = rangeProblem(contract.liveHours?.[day] ?? [], `body.liveHours.${day}`);
    if (problem) throw badRequest(problem);
  }
  ctx.practice.liveness = contract;
  return OK;
}

function findById<T>(list: (p: PracticeState) => T[] | null, id: (item: T) => string) {
  return (ctx: RouteContext) => ({ status: 200, body: (list(ctx.practice) ?? []).filter((x) => id(x) === ctx.query.id) });
}

export const configRoutes: ApiRoute[] = [
  {
    operationId: 'getLivenessContract',
    method: 'GET',
    path: '/config/livenessContract',
    handle: (ctx) => ({ status: 200, body: ctx.practice.liveness ?? {} }),
  },
  {
    operationId: 'uploadLivenessContract',
    method: 'POST',
    path: '/config/livenessContract',
    body: LivenessContractSchema,
    handle: postLiveness,
  },
  {
    operationId: 'getResources',
    method: 'GET',
    path: '/config/pmsResources',
    handle: (ctx) => ({ status: 200, body: ctx.practice.resources ?? [] }),
  },
  {
    operationId: 'findByPmsResourceId',
    method: 'GET',
    path: '/config/pmsResources/findById',
    query: { id: { kind: 'string', required: true } },
    handle: findById((p) => p.resources, (r) => r.pmsResourceId),
  },
  {
    operationId: 'uploadPmsResources',
    method: 'POST',
    path: '/config/pmsResources/snapshot',
    body: z.array(PmsResourceSchema),
    handle: resourcesSnapshot,
  },
  {
    operationId: 'getPmsAppointmentTypes',
    method: 'GET',
    path: '/config/pmsAppointmentTypes',
    handle: (ctx) => ({ status: 200, body: ctx.practice.appointmentTypes ?? [] }),
  },
  {
    operationId: 'findByPmsAppointmentTypeId',
    method: 'GET',
    path: '/config/pmsAppointmentTypes/findById',
    query: { id: { kind: 'string', required: true } },
    handle: findById((p) => p.appointmentTypes, (t) => t.pmsAppointmentTypeId),
  },
  {
    operationId: 'uploadPmsAppointmentTypes',
    method: 'POST',
    path: '/config/pmsAppointmentTypes/snapshot',
    body: z.array(PmsAppointmentTypeInboundSchema),
    handle: appointmentTypesSnapshot,
  },
];
