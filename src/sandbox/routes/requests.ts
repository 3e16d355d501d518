// Request routes: GET /requests (types with pending work) and the paginated
// GET /requests/<type> lists.
import type { RequestType } from '../../healthengine/schemas.ts';
import { renderBooking, renderBookingUpdate } from '../bookings.ts';
import { paginate, pendingOf, pendingTypes } from '../queue.ts';
import type { PendingRequest, PracticeState } from '../state.ts';
import { PAGE_QUERY, pageParam, type ApiRoute, type RouteContext } from './types.ts';

type Render = (req: PendingRequest, practice: PracticeState) => unknown;

const withBooking = (req: PendingRequest, practice: PracticeState) => {
  const b = req.bookingId === undefined ? undefined : practice.bookings.get(req.bookingId);
  return {
    bookingId: req.bookingId ?? 0,
    pmsAppointmentIds: b ? [...b.pmsAppointmentIds] : [],
    ...(b?.pmsPatientId ? { pmsPatientId: b.pmsPatientId } : {}),
  };
};

const RENDER: Partial<Record<RequestType, Render>> = {
  bookings: (req, practice) => {
    const b = practice.bookings.get(req.bookingId ?? -1);
    return b ? renderBooking(b) : undefined;
  },
  bookingUpdates: (req, practice) => renderBookingUpdate(req, practice.bookings.get(req.bookingId ?? -1)),
  availability: (req) => {
    const resource = req.payload.pmsResourceId as string | undefined;
    return { day: req.payload.day, ...(resource !== undefined ? { pmsResourceId: resource, pms_resource_id: resource } : {}) };
  },
  pmsAppointmentChanges: withBooking,
  availableDocuments: withBooking,
  uploadDocuments: (req, practice) => ({ ...withBooking(req, practice), pmsDocumentId: req.payload.pmsDocumentId }),
  clientSnapshots: (req) => ({ date: req.payload.date, dateType: req.payload.dateType }),
  attachDocuments: (req) => {
    const { documentContent: _content, ...metadata } = req.payload as Record<string, unknown>;
    return { requestId: req.requestId, ...metadata };
  },
};

function listRoute(type: RequestType, operationId: string): ApiRoute {
  const render = RENDER[type];
  if (!render) throw new Error(`no renderer for ${type}`);
  return {
    operationId,
    method: 'GET',
    path: `/requests/${type}`,
    query: PAGE_QUERY,
    handle: (ctx: RouteContext) => {
      const items = pendingOf(ctx.practice, type)
        .map((req) => render(req, ctx.practice))
        .filter((x) => x !== undefined);
      return { status: 200, body: paginate(items, pageParam(ctx), ctx.state.settings.perPage) };
    },
  };
}

export const requestRoutes: ApiRoute[] = [
  {
    operationId: 'pollRequests',
    method: 'GET',
    path: '/requests',
    handle: (ctx) => ({ status: 200, body: pendingTypes(ctx.practice) }),
  },
  listRoute('bookings', 'bookingRequests'),
  listRoute('bookingUpdates', 'bookingUpdateRequests'),
  listRoute('availability', 'availabilitySnapshotRequests'),
  listRoute('pmsAppointmentChanges', 'pmsAppointmentChangeRequests'),
  listRoute('availableDocuments', 'availableDocumentsRequests'),
  listRoute('uploadDocuments', 'uploadDocumentsRequests'),
  listRoute('clientSnapshots', 'clientSnapshotsRequests'),
  listRoute('attachDocuments', 'attachDocumentRequests'),
];
