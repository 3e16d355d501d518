// The shape of a PMS API route: method and path exactly as openapi.yaml
// spells them, what it accepts, and its handler.
import type { z } from 'zod';
import type { PracticeState, SandboxState } from '../state.ts';
import type { QuerySpec } from '../validation.ts';

export interface RouteContext {
  state: SandboxState;
  practice: PracticeState;
  /** Path parameters, raw. */
  params: Record<string, string>;
  /** Query values, already checked against `query`. */
  query: Record<string, string>;
  /** The body parsed by `body` (its output), undefined when the route takes none. */
  body: unknown;
}

export interface RouteAnswer {
  status: number;
  body?: unknown;
}

export interface ApiRoute {
  operationId: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Spec path template, e.g. /bookings/{bookingId}/confirmInsert. */
  path: string;
  query?: QuerySpec;
  /** Schema of the required JSON body; absent = the operation takes no body. */
  body?: z.ZodType;
  handle(ctx: RouteContext): RouteAnswer;
}

export const OK: RouteAnswer = { status: 200 };
export const PAGE_QUERY: QuerySpec = { page: { kind: 'page' } };

export function pageParam(ctx: RouteContext): number {
  return ctx.query.page === undefined ? 1 : Number(ctx.query.page);
}
