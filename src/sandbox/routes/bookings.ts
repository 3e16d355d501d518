// Booking routes: the PMS's answers to bookings, updates and change requests.
import {
  CancelBookingSchema,
  ConfirmBookingInsertInboundSchema,
  DidNotAttendBookingSchema,
  RejectBookingInsertSchema,
  RejectBookingUpdateSchema,
} from '../../healthengine/schemas.ts';
import { badRequest } from '../api-error.ts';
import { answerUpdate, confirmInsert, pmsChange, rejectInsert } from '../bookings.ts';
import { intParam } from '../validation.ts';
import { OK, type ApiRoute, type RouteContext } from './types.ts';

const bookingId = (ctx: RouteContext) => intParam('bookingId', ctx.params.bookingId ?? '');
const requestId = (ctx: RouteContext) => intParam('requestId', ctx.params.requestId ?? '');

export const bookingRoutes: ApiRoute[] = [
  {
    operationId: 'confirmBookingInsert',
    method: 'POST',
    path: '/bookings/{bookingId}/confirmInsert',
    body: ConfirmBookingInsertInboundSchema,
    handle: (ctx) => {
      const body = ctx.body as { pmsAppointmentIds: string[] };
      if (body.pmsAppointmentIds.length === 0) {
        throw badRequest('body.pmsAppointmentIds: must list at least one PMS appointment id');
      }
      confirmInsert(ctx.state, ctx.practice, bookingId(ctx), ctx.body as Record<string, unknown>);
      return OK;
    },
  },
  {
    operationId: 'rejectBookingInsert',
    method: 'POST',
    path: '/bookings/{bookingId}/rejectInsert',
    body: RejectBookingInsertSchema,
    handle: (ctx) => {
      rejectInsert(ctx.state, ctx.practice, bookingId(ctx), ctx.body);
      return OK;
    },
  },
  {
    operationId: 'confirmBookingUpdate',
    method: 'POST',
    path: '/bookings/{bookingId}/confirmUpdate/{requestId}',
    handle: (ctx) => {
      answerUpdate(ctx.state, ctx.practice, bookingId(ctx), requestId(ctx), 'confirmUpdate');
      return OK;
    },
  },
  {
    operationId: 'rejectBookingUpdate',
    method: 'POST',
    path: '/bookings/{bookingId}/rejectUpdate/{requestId}',
    body: RejectBookingUpdateSchema,
    handle: (ctx) => {
      answerUpdate(ctx.state, ctx.practice, bookingId(ctx), requestId(ctx), 'rejectUpdate', ctx.body);
      return OK;
    },
  },
  {
    operationId: 'cancelBooking',
    method: 'POST',
    path: '/bookings/{bookingId}/cancel',
    body: CancelBookingSchema,
    handle: (ctx) => {
      pmsChange(ctx.state, ctx.practice, bookingId(ctx), 'cancel', ctx.body);
      return OK;
    },
  },
  {
    operationId: 'didNotAttend',
    method: 'POST',
    path: '/bookings/{bookingId}/didNotAttend',
    body: DidNotAttendBookingSchema,
    handle: (ctx) => {
      pmsChange(ctx.state, ctx.practice, bookingId(ctx), 'didNotAttend', ctx.body);
      return OK;
    },
  },
  {
    operationId: 'noPmsAppointmentChange',
    method: 'POST',
    path: '/bookings/{bookingId}/noPmsAppointmentChange',
    handle: (ctx) => {
      pmsChange(ctx.state, ctx.practice, bookingId(ctx), 'noPmsAppointmentChange');
      return OK;
    },
  },
];
