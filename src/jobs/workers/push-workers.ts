// Workers for the keyed pushes the change planner queues.
import type { AvailabilityFullData, AvailabilityPushData, ConfigPushData, RequestsCheckData } from '../../domain/jobs.ts';
import { setLinkStatus, stampLink, type PracticeLink } from '../../db/queries/practice-links.ts';
import { credentials, linkForJob, recordRefusal } from '../link-guard.ts';
import type { WorkerContext } from '../worker-context.ts';
import { ALL_CALENDARS } from '../../domain/planner.ts';
import { buildSnapshots, sendSnapshots, type AvailabilityTarget } from './availability-sync.ts';
import { problemsMessage, sendConfig } from './config-sync.ts';

async function guarded(ctx: WorkerContext, link: PracticeLink, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (await recordRefusal(ctx, link, err, what)) return;
    throw err; // transient: pg-boss retries with backoff
  }
}

export async function handleConfigPush(ctx: WorkerContext, data: ConfigPushData): Promise<void> {
  const link = await linkForJob(ctx, data.linkId, data.generation);
  if (!link) return;
  await guarded(ctx, link, `${data.kind} configuration`, async () => {
    const problems = await sendConfig(ctx, link, [data.kind]);
    await setLinkStatus(ctx.pool, link.linkId, link.generation, 'active', problemsMessage(problems), 'config');
  });
}

/** A batch of availability jobs: grouped per link, snapshots sent 100 a call. */
export async function handleAvailabilityPush(ctx: WorkerContext, batch: readonly AvailabilityPushData[]): Promise<void> {
  const byLink = new Map<string, AvailabilityPushData[]>();
  for (const d of batch) {
    const k = `${d.linkId}:${d.generation}`;
    byLink.set(k, [...(byLink.get(k) ?? []), d]);
  }
  for (const list of byLink.values()) {
    const first = list[0]!;
    const link = await linkForJob(ctx, first.linkId, first.generation);
    if (!link) continue;
    const targets = new Map<string, { calendarId: string; locationId: string; dates: string[] }>();
    for (const d of list) {
      const key = `${d.locationId}\u0000${d.calendarId}`;
      const t = targets.get(key) ?? { calendarId: d.calendarId, locationId: d.locationId, dates: [] };
      t.dates.push(d.date);
      targets.set(key, t);
    }
    await guarded(ctx, link, 'availability', async () => {
      // a calendar's resources may span the link's locations: build per calendar, not per location
      const snaps = await buildSnapshots(ctx, link, [...targets.values()].map((t): AvailabilityTarget =>
        t.calendarId === ALL_CALENDARS ? t : { calendarId: t.calendarId, dates: t.dates }));
      await sendSnapshots(ctx, link, snaps);
      await stampLink(ctx.pool, link.linkId, link.generation, 'availability');
    });
  }
}

export async function handleAvailabilityFull(ctx: WorkerContext, data: AvailabilityFullData): Promise<void> {
  const link = await linkForJob(ctx, data.linkId, data.generation);
  if (!link) return;
  await guarded(ctx, link, 'availability', async () => {
    const target: AvailabilityTarget = { calendarId: data.calendarId ?? ALL_CALENDARS, ...(data.locationId ? { locationId: data.locationId } : {}) };
    await sendSnapshots(ctx, link, await buildSnapshots(ctx, link, [target]));
    await stampLink(ctx.pool, link.linkId, link.generation, 'availability');
  });
}

/** Until request handling lands, look for outstanding work and report it. */
export async function handleRequestsCheck(ctx: WorkerContext, data: RequestsCheckData): Promise<void> {
  const link = await linkForJob(ctx, data.linkId, data.generation);
  if (!link) return;
  await guarded(ctx, link, 'requests check', async () => {
    const types = await ctx.client.getRequests(credentials(link));
    ctx.logger.info({ linkId: link.linkId, practiceId: link.practiceId, reason: data.reason, pending: types }, types.length ? 'outstanding Healthengine requests' : 'no outstanding Healthengine requests');
    await stampLink(ctx.pool, link.linkId, link.generation, 'requests');
  });
}
