// The request queues of a practice: what GET /requests and GET /requests/<type>
// list. A request stays pending until the PMS answers it the way its type
// demands (confirmInsert, a snapshot push, ...); then it moves to `handled`.
import type { RequestType } from '../healthengine/schemas.ts';
import { REQUEST_TYPES } from '../healthengine/schemas.ts';
import { FEATURE_OF_REQUEST_TYPE, type PendingRequest, type PracticeState, type SandboxState } from './state.ts';

/** True when requests of this type are delivered now (feature-gated types need their feature). */
export function typeIsLive(practice: PracticeState, type: RequestType): boolean {
  const feature = FEATURE_OF_REQUEST_TYPE[type];
  return feature === undefined || practice.features.get(feature)?.enabled === true;
}

export function enqueue(
  state: SandboxState,
  practice: PracticeState,
  type: RequestType,
  payload: Record<string, unknown> = {},
  bookingId?: number,
): PendingRequest {
  const req: PendingRequest = {
    requestId: state.nextRequestId(),
    type,
    createdAt: state.nowUtc(),
    ...(bookingId !== undefined ? { bookingId } : {}),
    payload,
  };
  practice.pending.push(req);
  if (typeIsLive(practice, type)) state.webhooks.notify(practice, req);
  return req;
}

/** Moves every pending request that `match` selects to `handled`; returns how many. */
export function resolve(
  state: SandboxState,
  practice: PracticeState,
  match: (req: PendingRequest) => boolean,
  outcome: string,
): number {
  const keep: PendingRequest[] = [];
  let count = 0;
  for (const req of practice.pending) {
    if (match(req)) {
      practice.handled.push({ ...req, handledAt: state.nowUtc(), outcome });
      count++;
    } else {
      keep.push(req);
    }
  }
  practice.pending = keep;
  return count;
}

export function pendingOf(practice: PracticeState, type: RequestType): PendingRequest[] {
  return typeIsLive(practice, type) ? practice.pending.filter((r) => r.type === type) : [];
}

/** The types with pending work, in the spec's order. */
export function pendingTypes(practice: PracticeState): RequestType[] {
  return REQUEST_TYPES.filter((t) => pendingOf(practice, t).length > 0);
}

export interface PageAnswer<T> {
  data: T[];
  page: { currentPage: number; totalPages: number; perPage: number; total: number };
}

export function paginate<T>(items: readonly T[], page: number, perPage: number): PageAnswer<T> {
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const start = (page - 1) * perPage;
  return { data: items.slice(start, start + perPage), page: { currentPage: page, totalPages, perPage, total } };
}
