// Feature routes: extra features are off until the vendor enables them.
import { notFound } from '../api-error.ts';
import type { PracticeState } from '../state.ts';
import { OK, type ApiRoute, type RouteContext } from './types.ts';

function feature(practice: PracticeState, id: string) {
  const f = practice.features.get(id);
  if (!f) throw notFound(`feature ${id} not found`);
  return f;
}

const setEnabled = (enabled: boolean) => (ctx: RouteContext) => {
  feature(ctx.practice, ctx.params.id ?? '').enabled = enabled;
  return OK;
};

export const featureRoutes: ApiRoute[] = [
  {
    operationId: 'getFeatures',
    method: 'GET',
    path: '/features',
    handle: (ctx) => ({ status: 200, body: [...ctx.practice.features.values()].map((f) => ({ ...f })) }),
  },
  {
    operationId: 'getFeature',
    method: 'GET',
    path: '/features/{id}',
    handle: (ctx) => ({ status: 200, body: { ...feature(ctx.practice, ctx.params.id ?? '') } }),
  },
  { operationId: 'enableFeature', method: 'POST', path: '/features/{id}/enable', handle: setEnabled(true) },
  { operationId: 'disableFeature', method: 'POST', path: '/features/{id}/disable', handle: setEnabled(false) },
];
