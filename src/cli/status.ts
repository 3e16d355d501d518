// `status`: a table a practice admin can read. Practice keys are never shown.
import type pg from 'pg';
import { heldJobSummary } from '../db/queries/held-jobs.ts';
import { listLinks } from '../db/queries/practice-links.ts';
import { recentResyncRequests } from '../db/queries/resync-requests.ts';
import { outboxBacklog, pendingJobsByLink, slotStatus } from '../db/queries/status.ts';
import { age, ago, bytes, table } from './table.ts';

export interface StatusReport {
  links: { linkId: number; practiceId: string; locations: string[]; enabled: boolean; status: string; message: string | null; lastConfigPush: Date | null; lastAvailabilityPush: Date | null; pendingJobs: number }[];
  captureMode: 'replication' | 'outbox-poll';
  slot: Awaited<ReturnType<typeof slotStatus>>;
  /** outbox-poll mode only */
  outbox: Awaited<ReturnType<typeof outboxBacklog>> | null;
  /** large transactions still in progress whose keys past the in-memory bound are parked */
  held: Awaited<ReturnType<typeof heldJobSummary>>;
  resyncs: Awaited<ReturnType<typeof recentResyncRequests>>;
}

export async function statusReport(pool: pg.Pool, slotName: string, jobSchema: string, captureMode: StatusReport['captureMode'] = 'replication'): Promise<StatusReport> {
  const [links, pending, slot, outbox, held, resyncs] = await Promise.all([
    listLinks(pool), pendingJobsByLink(pool, jobSchema), slotStatus(pool, slotName), captureMode === 'outbox-poll' ? outboxBacklog(pool) : null,
    heldJobSummary(pool, jobSchema), recentResyncRequests(pool, 5),
  ]);
  return {
    links: links.map((l) => ({
      linkId: l.linkId, practiceId: l.practiceId, locations: l.locationIds, enabled: l.enabled, status: l.status, message: l.statusMessage,
      lastConfigPush: l.lastConfigPushAt, lastAvailabilityPush: l.lastAvailabilityPushAt, pendingJobs: pending.get(l.linkId) ?? 0,
    })),
    captureMode,
    slot,
    outbox,
    held,
    resyncs,
  };
}

export function formatStatus(r: StatusReport, now = new Date()): string {
  const out: string[] = [];
  out.push('Practice links');
  out.push(r.links.length === 0 ? '  (none: add one with `he-connector link add` or INSERT INTO healthengine.practice_link)' : table(
    ['link', 'HE practice', 'locations', 'state', 'config pushed', 'availability pushed', 'pending jobs'],
    r.links.map((l) => [String(l.linkId), l.practiceId, l.locations.join(','), l.enabled ? l.status : 'disabled', ago(l.lastConfigPush, now), ago(l.lastAvailabilityPush, now), String(l.pendingJobs)]),
  ));
  for (const l of r.links) if (l.message) out.push(`  link ${l.linkId}: ${l.message}`);
  out.push('');
  out.push('Change stream');
  if (r.outbox) {
    // no slot in this mode: the outbox is read directly, and consumed rows are deleted
    out.push(`  outbox polling (no replication slot): ${r.outbox.waiting} change${r.outbox.waiting === 1 ? '' : 's'} waiting${r.outbox.oldestAt ? `, oldest ${age(r.outbox.oldestAt, now)} old` : ''}`);
  } else if (!r.slot.exists) out.push('  replication slot missing: run `he-connector install`');
  else {
    out.push(`  slot ${r.slot.active ? 'streaming' : 'idle (no connector attached)'}, wal_status ${r.slot.walStatus ?? 'n/a'}, lag ${bytes(r.slot.lagBytes)}, oldest unacknowledged change ${r.slot.oldestPendingEventAt ? `at most ${age(r.slot.oldestPendingEventAt, now)} old` : 'unknown (nothing confirmed yet)'}`);
    out.push(`  owner ${r.slot.owner ?? 'none'}, last acknowledged ${ago(r.slot.lastAckAt, now)}`);
  }
  if (r.held.keys > 0) out.push(`  ${r.held.transactions === 1 ? 'a large transaction' : `${r.held.transactions} large transactions`} in progress: ${r.held.keys} job keys parked until ${r.held.transactions === 1 ? 'it commits' : 'they commit'}`);
  if (r.resyncs.length) {
    out.push('');
    out.push('Recent resync requests');
    out.push(table(['request', 'scope', 'target', 'state', 'requested', 'result'], r.resyncs.map((x) => [
      String(x.requestId), x.scope, x.linkId !== null ? `link ${x.linkId}` : x.locationId !== null ? `location ${x.locationId}` : 'all links', x.status, ago(x.requestedAt, now), x.result ?? '',
    ])));
  }
  return out.join('\n');
}
