// Every worker checks the link right before it talks to Healthengine: a job
// planned for a link that has since been disabled, deleted or re-keyed (new
// practice id or key: a new generation) is dropped, so nothing more reaches
// the previous practice, whatever was already queued.
import { isHealthengineError } from '../healthengine/errors.ts';
import { getLink, setLinkStatus, type PracticeLink } from '../db/queries/practice-links.ts';
import type { WorkerContext } from './worker-context.ts';

/** Statuses under which nothing is sent until a user acts (or the quiet re-check runs). */
const BLOCKED = new Set(['consent_required', 'unauthorized', 'invalid', 'disabled', 'superseded']);

export async function linkForJob(ctx: WorkerContext, linkId: number, generation: number, opts: { allowPending?: boolean } = {}): Promise<PracticeLink | null> {
  const link = await getLink(ctx.pool, linkId);
  if (!link || !link.enabled || link.generation !== generation) return null;
  if (BLOCKED.has(link.status)) return null;
  if (link.status === 'pending' && !opts.allowPending) return null;
  return link;
}

export function credentials(link: PracticeLink): { practiceId: string; practiceKey: string } {
  return { practiceId: link.practiceId, practiceKey: link.practiceKey };
}

export function consentMessage(ctx: WorkerContext, link: PracticeLink): string {
  return `Healthengine refused practice ${link.practiceId} (403): there is no live consent for ${ctx.vendorName}. ` +
    `Grant consent to ${ctx.vendorName} in Healthengine Practice Admin, then re-save this link or insert a row into healthengine.resync_request.`;
}

export function unauthorizedMessage(link: PracticeLink): string {
  return `Healthengine rejected the credentials for practice ${link.practiceId} (401). ` +
    `If the practice key was mistyped, correct he_practice_key; otherwise the vendor's api-key (HEALTHENGINE_API_KEY) is wrong: a matter for the connector's vendor, not the practice.`;
}

/**
 * Turns a Healthengine refusal into the link's status, where PMS users look.
 * Returns true when handled (the job should end without retrying: retrying a
 * 401/403 only hammers Healthengine); false for errors worth a retry.
 */
export async function recordRefusal(ctx: WorkerContext, link: PracticeLink, err: unknown, what: string): Promise<boolean> {
  if (isHealthengineError(err, 'consent_required')) {
    await setLinkStatus(ctx.pool, link.linkId, link.generation, 'consent_required', consentMessage(ctx, link));
    ctx.logger.warn({ linkId: link.linkId, practiceId: link.practiceId, what }, 'practice has no consent; link paused');
    return true;
  }
  if (isHealthengineError(err, 'unauthorized')) {
    await setLinkStatus(ctx.pool, link.linkId, link.generation, 'unauthorized', unauthorizedMessage(link));
    ctx.logger.error({ linkId: link.linkId, practiceId: link.practiceId, what }, 'Healthengine answered 401; link paused');
    return true;
  }
  if (isHealthengineError(err, 'bad_request')) {
    const reason = (err as { reason?: string }).reason ?? 'no reason given';
    await setLinkStatus(ctx.pool, link.linkId, link.generation, 'error', `Healthengine refused the ${what} (400): ${reason}`);
    ctx.logger.error({ linkId: link.linkId, practiceId: link.practiceId, what, reason }, 'Healthengine refused a payload');
    return true;
  }
  return false;
}
