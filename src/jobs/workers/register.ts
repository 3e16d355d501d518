// Binds each queue to its worker.
import type { Job } from 'pg-boss';
import { QUEUES, type AppointmentOutboundData, type AvailabilityFullData, type AvailabilityPushData, type ConfigPushData, type LinkSyncData, type RequestsCheckData, type ResyncData } from '../../domain/jobs.ts';
import type { WorkerContext } from '../worker-context.ts';
import { handleAppointmentOutbound } from './appointment-outbound.ts';
import { handleLinkSync, handleResync } from './link-lifecycle.ts';
import { handleMaintenance } from './maintenance.ts';
import { handleAvailabilityFull, handleAvailabilityPush, handleConfigPush, handleRequestsCheck } from './push-workers.ts';

const POLL = { pollingIntervalSeconds: 0.5 };

function each<T>(ctx: WorkerContext, queue: string, fn: (ctx: WorkerContext, data: T) => Promise<void>) {
  return async (batch: Job<T>[]) => {
    for (const job of batch) {
      try {
        await fn(ctx, job.data);
      } catch (err) {
        ctx.logger.warn({ queue, jobId: job.id, err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'job failed; it will be retried');
        throw err;
      }
    }
  };
}

export async function registerWorkers(ctx: WorkerContext, opts: { schedule: boolean }): Promise<void> {
  const boss = ctx.jobs.boss;
  await boss.work<LinkSyncData>(QUEUES.linkSync, { ...POLL, localConcurrency: 2 }, each(ctx, QUEUES.linkSync, handleLinkSync));
  await boss.work<ConfigPushData>(QUEUES.configPush, { ...POLL, localConcurrency: 2 }, each(ctx, QUEUES.configPush, handleConfigPush));
  await boss.work<AvailabilityPushData>(QUEUES.availabilityPush, { ...POLL, batchSize: 100 }, async (batch) => {
    try {
      await handleAvailabilityPush(ctx, batch.map((j) => j.data));
    } catch (err) {
      ctx.logger.warn({ queue: QUEUES.availabilityPush, jobs: batch.length, err: { message: (err as Error).message } }, 'availability batch failed; it will be retried');
      throw err;
    }
  });
  await boss.work<AvailabilityFullData>(QUEUES.availabilityFull, POLL, each(ctx, QUEUES.availabilityFull, handleAvailabilityFull));
  await boss.work<RequestsCheckData>(QUEUES.requestsCheck, POLL, each(ctx, QUEUES.requestsCheck, handleRequestsCheck));
  await boss.work<ResyncData>(QUEUES.resync, POLL, each(ctx, QUEUES.resync, handleResync));
  await boss.work<AppointmentOutboundData>(QUEUES.appointmentOutbound, POLL, each(ctx, QUEUES.appointmentOutbound, handleAppointmentOutbound));
  await boss.work(QUEUES.maintenance, POLL, async () => handleMaintenance(ctx));
  if (opts.schedule) await boss.schedule(QUEUES.maintenance, '* * * * *', {});
}
