// A Healthengine booking cancelled or marked did-not-attend in the PMS is
// reported to Healthengine. Appointments that did not come from Healthengine
// are not its business; the connector's own writes never get here (the
// planner drops changes of origin 'connector'). The job says what changed, but
// the PMS decides what is sent: a cancellation undone at the desk before the
// job ran (or rolled back with a savepoint of a large transaction, whose
// changes arrive before its end) is not sent.
import type { AppointmentOutboundData } from '../../domain/jobs.ts';
import { readAppointmentState } from '../../db/queries/adapter-reads.ts';
import { bookingForAppointment, setBookingState } from '../../db/queries/bookings.ts';
import { getLink } from '../../db/queries/practice-links.ts';
import { credentials, recordRefusal } from '../link-guard.ts';
import type { WorkerContext } from '../worker-context.ts';

export async function handleAppointmentOutbound(ctx: WorkerContext, data: AppointmentOutboundData): Promise<void> {
  const booking = await bookingForAppointment(ctx.pool, data.appointmentId);
  if (!booking) return;
  if (booking.state === data.state) return;
  const now = await readAppointmentState(ctx.pool, data.appointmentId);
  // a deleted appointment is a cancelled one
  if (now !== data.state && !(now === null && data.state === 'cancelled')) {
    ctx.logger.info({ linkId: booking.linkId, bookingId: booking.heBookingId, state: data.state, pmsState: now }, 'PMS change of a Healthengine booking not sent: the appointment is no longer in that state');
    return;
  }
  const link = await getLink(ctx.pool, booking.linkId);
  if (!link || !link.enabled || link.status !== 'active') return;
  try {
    if (data.state === 'cancelled') await ctx.client.cancelBooking(credentials(link), booking.heBookingId, { reason: 'Cancelled in the practice management system' });
    else await ctx.client.didNotAttend(credentials(link), booking.heBookingId, { reason: 'Marked did-not-attend in the practice management system' });
  } catch (err) {
    if (await recordRefusal(ctx, link, err, `${data.state} of booking ${booking.heBookingId}`)) return;
    throw err;
  }
  await setBookingState(ctx.pool, link.linkId, booking.heBookingId, data.state, null);
  ctx.logger.info({ linkId: link.linkId, bookingId: booking.heBookingId, state: data.state }, 'PMS change of a Healthengine booking sent');
}
