// Availability routes: one snapshot, or a batch of up to 100 answered with
// {created, existing, failed, errors}. A snapshot replaces what the sandbox
// held for that resource and date; an identical re-send is "existing".
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AvailabilitySnapshotSchema, MAX_SNAPSHOTS_PER_BATCH, type AvailabilitySnapshot } from '../../healthengine/schemas.ts';
import { describeIssue } from '../../healthengine/zod-issues.ts';
import { badRequest } from '../api-error.ts';
import { resolve } from '../queue.ts';
import type { PracticeState, SandboxState } from '../state.ts';
import { rangeProblem } from '../validation.ts';
import { OK, type ApiRoute, type RouteContext } from './types.ts';

/** Problems that need the practice's configuration; undefined when none. */
export function snapshotProblem(practice: PracticeState, snap: AvailabilitySnapshot): string | undefined {
  const order = rangeProblem(snap.availability, 'availability');
  if (order) return order;
  if (!practice.resources?.some((r) => r.pmsResourceId === snap.pmsResourceId)) {
    return `pmsResourceId: '${snap.pmsResourceId}' is not in the resources snapshot`;
  }
  for (const [i, range] of snap.availability.entries()) {
    for (const typeId of range.pmsAppointmentTypeIds ?? []) {
      const type = practice.appointmentTypes?.find((t) => t.pmsAppointmentTypeId === typeId);
      if (!type) return `availability[${i}].pmsAppointmentTypeIds: '${typeId}' is not in the appointment types snapshot`;
      if (type.pmsResourceId && type.pmsResourceId !== snap.pmsResourceId) {
        return `availability[${i}].pmsAppointmentTypeIds: '${typeId}' belongs to resource '${type.pmsResourceId}'`;
      }
    }
  }
  return undefined;
}

/** Stores a valid snapshot; answers whether it changed anything. */
export function storeSnapshot(state: SandboxState, practice: PracticeState, snap: AvailabilitySnapshot): 'created' | 'existing' {
  const hash = createHash('sha256').update(JSON.stringify(snap.availability)).digest('hex');
  let byDate = practice.availability.get(snap.pmsResourceId);
  if (!byDate) {
    byDate = new Map();
    practice.availability.set(snap.pmsResourceId, byDate);
  }
  const before = byDate.get(snap.date);
  byDate.set(snap.date, {
    pmsResourceId: snap.pmsResourceId,
    date: snap.date,
    availability: snap.availability,
    hash,
    receivedAt: state.nowUtc(),
  });
  resolve(
    state,
    practice,
    (r) => {
      if (r.type !== 'availability' || r.payload.day !== snap.date) return false;
      const wanted = r.payload.pmsResourceId;
      return wanted === undefined || wanted === snap.pmsResourceId;
    },
    'snapshot',
  );
  return before?.hash === hash ? 'existing' : 'created';
}

function single(ctx: RouteContext) {
  const snap = ctx.body as AvailabilitySnapshot;
  const problem = snapshotProblem(ctx.practice, snap);
  if (problem) throw badRequest(`body.${problem}`);
  storeSnapshot(ctx.state, ctx.practice, snap);
  return OK;
}

function batch(ctx: RouteContext) {
  const items = ctx.body as unknown[];
  if (items.length > MAX_SNAPSHOTS_PER_BATCH) {
    throw badRequest(`body: at most ${MAX_SNAPSHOTS_PER_BATCH} snapshots per call, got ${items.length}`);
  }
  const keys = items.map((item, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : String(i);
  });
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key)) throw badRequest(`body[${i}].id: snapshot ids must be unique in a batch, '${key}' repeats`);
    seen.add(key);
  });
  const result = { created: [] as string[], existing: [] as string[], failed: [] as string[], errors: [] as { snapshot: string; error: string }[] };
  const fail = (snapshot: string, error: string) => {
    result.failed.push(snapshot);
    result.errors.push({ snapshot, error });
  };
  const slots = new Map<string, string>();
  items.forEach((item, i) => {
    const key = keys[i] ?? String(i);
    const parsed = AvailabilitySnapshotSchema.safeParse(item);
    if (!parsed.success) return fail(key, describeIssue(parsed.error));
    const snap = parsed.data;
    const slotKey = `${snap.pmsResourceId}\u0000${snap.date}`;
    const twin = slots.get(slotKey);
    if (twin !== undefined) return fail(key, `same pmsResourceId and date as snapshot ${twin} in this batch`);
    slots.set(slotKey, key);
    const problem = snapshotProblem(ctx.practice, snap);
    if (problem) return fail(key, problem);
    result[storeSnapshot(ctx.state, ctx.practice, snap)].push(key);
  });
  return { status: 200, body: result };
}

export const availabilityRoutes: ApiRoute[] = [
  {
    operationId: 'sendAvailabilitySnapshot',
    method: 'POST',
    path: '/availability/snapshot',
    body: AvailabilitySnapshotSchema,
    handle: single,
  },
  {
    operationId: 'sendAvailabilitySnapshots',
    method: 'POST',
    path: '/availability/snapshots',
    body: z.array(z.unknown()),
    handle: batch,
  },
];
