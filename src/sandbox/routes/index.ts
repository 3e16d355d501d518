// Every operation of openapi.yaml (PMS API 1.9.0), one route each.
import { availabilityRoutes } from './availability.ts';
import { bookingRoutes } from './bookings.ts';
import { configRoutes } from './config.ts';
import { documentRoutes } from './documents.ts';
import { featureRoutes } from './features.ts';
import { requestRoutes } from './requests.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import type { ApiRoute } from './types.ts';

export const API_ROUTES: readonly ApiRoute[] = [
  ...requestRoutes,
  ...bookingRoutes,
  ...availabilityRoutes,
  ...configRoutes,
  ...featureRoutes,
  ...subscriptionRoutes,
  ...documentRoutes,
];

export type { ApiRoute, RouteAnswer, RouteContext } from './types.ts';
