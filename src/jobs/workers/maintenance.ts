// Periodic housekeeping: a quiet re-check of links paused by a 401/403 (at most
// once per CONNECTOR_CONSENT_RETRY_SECONDS, so Healthengine is never hammered).
import { jobs } from '../../domain/jobs.ts';
import { linksDueConsentRecheck } from '../../db/queries/practice-links.ts';
import type { WorkerContext } from '../worker-context.ts';

export async function handleMaintenance(ctx: WorkerContext): Promise<void> {
  const due = await linksDueConsentRecheck(ctx.pool, ctx.consentRetrySeconds);
  if (due.length) await ctx.jobs.enqueue(due.map((id) => jobs.linkSync(id)), 0);
}
