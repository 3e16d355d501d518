// Subscription routes: create or update, list, get, delete, and the error
// log of failed webhook deliveries.
import { SubscriptionSchema, type Subscription, type SubscriptionInput } from '../../healthengine/schemas.ts';
import { badRequest, notFound } from '../api-error.ts';
import { parseUtcDateTime } from '../clock.ts';
import { paginate } from '../queue.ts';
import type { PracticeState, StoredSubscription } from '../state.ts';
import { pageParam, type ApiRoute, type RouteContext } from './types.ts';

export function renderSubscription(s: StoredSubscription): Subscription {
  return {
    id: s.id,
    ...(s.clientId !== null ? { clientId: s.clientId } : {}),
    topic: s.topic,
    callbackUrl: s.callbackUrl,
    ...(s.startAt !== null ? { startAt: s.startAt } : {}),
    ...(s.expireAt !== null ? { expireAt: s.expireAt } : {}),
  };
}

function findSubscription(practice: PracticeState, id: string): StoredSubscription {
  const sub = practice.subscriptions.get(id);
  if (!sub) throw notFound(`subscription ${id} not found`);
  return sub;
}

function createOrUpdate(ctx: RouteContext) {
  const input = ctx.body as SubscriptionInput;
  const now = ctx.state.clock.now();
  const startAt = input.startAt ?? ctx.state.nowUtc();
  if (input.expireAt !== undefined && input.expireAt !== null) {
    if (parseUtcDateTime(input.expireAt) <= parseUtcDateTime(startAt)) throw badRequest('body.expireAt: must be after startAt');
    if (parseUtcDateTime(input.expireAt) <= now) throw badRequest('body.expireAt: must be in the future');
  }
  if (input.id !== undefined) findSubscription(ctx.practice, input.id); // update: must exist
  const sub: StoredSubscription = {
    id: input.id ?? ctx.state.newId(),
    clientId: input.clientId ?? null,
    topic: input.topic,
    callbackUrl: input.callbackUrl,
    startAt,
    expireAt: input.expireAt ?? null,
  };
  ctx.practice.subscriptions.set(sub.id, sub);
  return { status: 201, body: renderSubscription(sub) };
}

function errorLog(ctx: RouteContext) {
  const { subscriptionId, from, to } = ctx.query;
  if (subscriptionId !== undefined) findSubscription(ctx.practice, subscriptionId);
  const entries = ctx.practice.errorLog
    .filter((e) => subscriptionId === undefined || e.subscriptionId === subscriptionId)
    .filter((e) => from === undefined || e.createdAt >= from)
    .filter((e) => to === undefined || e.createdAt <= to)
    .map(({ createdAt: _createdAt, ...entry }) => entry);
  return { status: 200, body: paginate(entries, pageParam(ctx), ctx.state.settings.perPage) };
}

export const subscriptionRoutes: ApiRoute[] = [
  {
    operationId: 'getSubscriptions',
    method: 'GET',
    path: '/subscription',
    handle: (ctx) => ({ status: 200, body: [...ctx.practice.subscriptions.values()].map(renderSubscription) }),
  },
  {
    operationId: 'createSubscription',
    method: 'POST',
    path: '/subscription',
    body: SubscriptionSchema,
    handle: createOrUpdate,
  },
  {
    operationId: 'getSubscription',
    method: 'GET',
    path: '/subscription/{id}',
    handle: (ctx) => ({ status: 200, body: renderSubscription(findSubscription(ctx.practice, ctx.params.id ?? '')) }),
  },
  {
    operationId: 'deleteSubscription',
    method: 'DELETE',
    path: '/subscription/{id}',
    handle: (ctx) => {
      findSubscription(ctx.practice, ctx.params.id ?? '');
      ctx.practice.subscriptions.delete(ctx.params.id ?? '');
      return { status: 204 };
    },
  },
  {
    operationId: 'getSubscriptionErrorLogs',
    method: 'GET',
    path: '/subscriptionErrorLog',
    query: {
      subscriptionId: { kind: 'string' },
      from: { kind: 'datetime' },
      to: { kind: 'datetime' },
      page: { kind: 'page' },
    },
    handle: errorLog,
  },
];
