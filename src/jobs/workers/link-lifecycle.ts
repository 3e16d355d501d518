// The life of a practice link: validate what the PMS admin typed, send the
// configuration in order, then availability and a look for outstanding
// requests. Also: disabling, and resync requests from PMS users.
import { validateLink } from '../../domain/link-validation.ts';
import { CONFIG_ORDER, jobs } from '../../domain/jobs.ts';
import { readLocations } from '../../db/queries/adapter-reads.ts';
import { getLink, listLinks, setLinkStatus, type PracticeLink } from '../../db/queries/practice-links.ts';
import { getResyncRequest, finishResyncRequest, type ResyncRequest } from '../../db/queries/resync-requests.ts';
import { ALL_CALENDARS } from '../../domain/planner.ts';
import { recordRefusal } from '../link-guard.ts';
import type { WorkerContext } from '../worker-context.ts';
import { buildSnapshots, sendSnapshots } from './availability-sync.ts';
import { problemsMessage, sendConfig } from './config-sync.ts';

export type SyncOutcome =
  | { ok: true; message: string | null }
  | { ok: false; status: string; message: string };

export const DISABLED_MESSAGE = 'Disabled in the PMS: nothing is sent to Healthengine for this practice until the link is enabled again.';

/** Validates the link against the PMS's locations and the other links. */
export async function checkLink(ctx: WorkerContext, link: PracticeLink): Promise<string[]> {
  const [all, locations] = await Promise.all([listLinks(ctx.pool), readLocations(ctx.pool)]);
  const view = (l: PracticeLink) => ({ linkId: l.linkId, practiceId: l.practiceId, practiceKey: l.practiceKey, locationIds: l.locationIds, enabled: l.enabled && l.status !== 'invalid' });
  return validateLink(view(link), all.map(view), new Set(locations.map((l) => l.locationId)));
}

/**
 * Validates and sends the full configuration; on success marks the link active
 * and, when `follow`, queues availability for every resource and a requests check.
 */
export async function syncLink(ctx: WorkerContext, link: PracticeLink, follow: boolean): Promise<SyncOutcome> {
  if (!link.enabled) {
    await setLinkStatus(ctx.pool, link.linkId, link.generation, 'disabled', DISABLED_MESSAGE);
    return { ok: false, status: 'disabled', message: DISABLED_MESSAGE };
  }
  const problems = await checkLink(ctx, link);
  if (problems.length > 0) {
    const message = `Not linked: ${problems.join('; ')}. Correct the row in healthengine.practice_link; nothing is sent until then.`;
    await setLinkStatus(ctx.pool, link.linkId, link.generation, 'invalid', message);
    ctx.logger.warn({ linkId: link.linkId, problems: problems.length }, 'practice link is invalid');
    return { ok: false, status: 'invalid', message };
  }
  let warnings: string[];
  try {
    warnings = await sendConfig(ctx, link, CONFIG_ORDER);
  } catch (err) {
    if (await recordRefusal(ctx, link, err, 'configuration')) {
      const now = await getLink(ctx.pool, link.linkId);
      return { ok: false, status: now?.status ?? 'error', message: now?.statusMessage ?? (err as Error).message };
    }
    throw err;
  }
  const message = problemsMessage(warnings);
  await setLinkStatus(ctx.pool, link.linkId, link.generation, 'active', message, 'config');
  if (follow) {
    await ctx.jobs.enqueue([
      jobs.availabilityFull(link.linkId, link.generation),
      jobs.requestsCheck(link.linkId, link.generation, 'linked or re-enabled'),
    ], 0);
  }
  return { ok: true, message };
}

export async function handleLinkSync(ctx: WorkerContext, data: { linkId: number }): Promise<void> {
  const link = await getLink(ctx.pool, data.linkId);
  if (!link) return; // deleted meanwhile: nothing to send to anyone
  await syncLink(ctx, link, true);
}

async function availabilityNow(ctx: WorkerContext, link: PracticeLink): Promise<string> {
  const snaps = await buildSnapshots(ctx, link, [{ calendarId: ALL_CALENDARS }]);
  const r = await sendSnapshots(ctx, link, snaps);
  return `availability sent: ${r.sent} snapshots (${r.created} changed, ${r.existing} unchanged, ${r.failed} refused)` +
    (r.errors.length ? `; refused: ${r.errors.slice(0, 3).join('; ')}` : '');
}

async function resyncTargets(ctx: WorkerContext, req: ResyncRequest): Promise<PracticeLink[] | string> {
  const all = await listLinks(ctx.pool);
  if (req.linkId !== null) {
    const l = all.find((x) => x.linkId === req.linkId);
    return l ? [l] : `link_id ${req.linkId} does not exist in healthengine.practice_link`;
  }
  if (req.locationId !== null) {
    const ls = all.filter((x) => x.locationIds.includes(req.locationId!) && x.enabled);
    return ls.length ? ls : `location_id '${req.locationId}' is not covered by any enabled practice link`;
  }
  const enabled = all.filter((x) => x.enabled);
  return enabled.length ? enabled : 'there are no enabled practice links to resync';
}

/** A PMS user's resync: runs now, and writes the outcome on the request row. */
export async function handleResync(ctx: WorkerContext, data: { requestId: number }): Promise<void> {
  const req = await getResyncRequest(ctx.pool, data.requestId);
  if (!req || req.status !== 'pending') return;
  const targets = await resyncTargets(ctx, req);
  if (typeof targets === 'string') {
    await finishResyncRequest(ctx.pool, req.requestId, 'failed', targets);
    return;
  }
  const results: string[] = [];
  let failed = false;
  for (const link of targets) {
    const label = `practice ${link.practiceId} (link ${link.linkId})`;
    if (!link.enabled) { results.push(`${label}: disabled, nothing sent`); failed = true; continue; }
    const parts: string[] = [];
    if (req.scope === 'config' || req.scope === 'all') {
      const out = await syncLink(ctx, link, false);
      if (!out.ok) { results.push(`${label}: ${out.message}`); failed = true; continue; }
      parts.push('configuration sent' + (out.message ? ` (${out.message})` : ''));
    } else if (link.status !== 'active') {
      results.push(`${label}: status is ${link.status}; resync the configuration first`); failed = true; continue;
    }
    if (req.scope === 'availability' || req.scope === 'all') {
      const fresh = (await getLink(ctx.pool, link.linkId)) ?? link;
      try {
        parts.push(await availabilityNow(ctx, fresh));
      } catch (err) {
        if (await recordRefusal(ctx, fresh, err, 'availability')) { results.push(`${label}: ${(await getLink(ctx.pool, link.linkId))?.statusMessage}`); failed = true; continue; }
        throw err;
      }
    }
    results.push(`${label}: ${parts.join('; ')}`);
  }
  await finishResyncRequest(ctx.pool, req.requestId, failed ? 'failed' : 'done', results.join(' | '));
}
