// The sink between the stream and the job queue: each change is planned as it
// arrives, folded into a set of distinct job keys (memory grows with distinct
// keys, not with rows), and the set is enqueued in one database transaction at
// commit. Only then does the stream acknowledge the commit's LSN.
import type pg from 'pg';
import type { RowChange } from '../domain/change-event.ts';
import type { JobRequest } from '../domain/jobs.ts';
import { planChange, type PlanContext } from '../domain/planner.ts';
import { readLocations } from '../db/queries/adapter-reads.ts';
import { listPlanLinks } from '../db/queries/practice-links.ts';
import { withTransaction } from '../db/transaction.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../log/logger.ts';
import type { TransactionSink } from './replication-stream.ts';

export interface ChangePipelineOptions {
  pool: pg.Pool;
  jobs: JobQueue;
  debounceSeconds: number;
  horizonDays: number;
  logger: Logger;
  now?: () => Date;
  /** flush the open transaction's keys early past this many (bounded memory for huge transactions) */
  maxPendingKeys?: number;
  /** refresh links and time zones at least this often */
  contextTtlMs?: number;
}

export interface PipelineStats {
  transactions: number;
  changes: number;
  jobsRequested: number;
  jobsCreated: number;
  lastCommitAt: Date | null;
}

export class ChangePipeline implements TransactionSink {
  private pending = new Map<string, JobRequest>();
  private ctx: { links: PlanContext['links']; timeZones: PlanContext['timeZones']; loadedAt: number } | null = null;
  private linksChanged = false;
  private txMaxEventId = 0;
  /** highest outbox event id of a committed (planned and enqueued) transaction */
  committedEventId = 0;
  readonly stats: PipelineStats = { transactions: 0, changes: 0, jobsRequested: 0, jobsCreated: 0, lastCommitAt: null };
  private readonly o: Required<Omit<ChangePipelineOptions, 'now'>> & { now: () => Date };

  constructor(opts: ChangePipelineOptions) {
    this.o = { maxPendingKeys: 10_000, contextTtlMs: 60_000, now: () => new Date(), ...opts };
  }

  /** The plan context of the open transaction (one clock reading per transaction, links re-read after contextTtlMs). */
  private planCtx: PlanContext | null = null;

  private async loadContext(): Promise<PlanContext> {
    if (!this.ctx || Date.now() - this.ctx.loadedAt > this.o.contextTtlMs) {
      const [links, locations] = await Promise.all([listPlanLinks(this.o.pool), readLocations(this.o.pool)]);
      this.ctx = { links, timeZones: new Map(locations.map((l) => [l.locationId, l.timeZone])), loadedAt: Date.now() };
    }
    this.planCtx = { links: this.ctx.links, timeZones: this.ctx.timeZones, now: this.o.now(), horizonDays: this.o.horizonDays };
    return this.planCtx;
  }

  /** Synchronous while the context is loaded and no flush is due: a bulk statement arrives as one change per row. */
  change(c: RowChange): Promise<void> | void {
    this.stats.changes++;
    if (c.table === 'change_event' && c.event.eventId > this.txMaxEventId) this.txMaxEventId = c.event.eventId;
    if (c.table === 'practice_link') this.linksChanged = true;
    if (!this.planCtx) return this.loadContext().then(() => this.plan(c));
    return this.plan(c);
  }

  private plan(c: RowChange): Promise<void> | void {
    for (const job of planChange(c, this.planCtx!)) this.pending.set(`${job.queue}\u0000${job.key}`, job);
    if (this.pending.size >= this.o.maxPendingKeys) return this.flush();
  }

  /** A transaction ended; its keys wait in the group until commit(). */
  endTransaction(): void {
    this.stats.transactions++;
    this.planCtx = null;
    // a link change shows in the next transaction's plan
    if (this.linksChanged) { this.ctx = null; this.linksChanged = false; }
  }

  get pendingKeys(): number {
    return this.pending.size;
  }

  /** Makes every ended transaction's jobs durable (in `into`'s transaction when given). */
  async commit(into?: pg.ClientBase): Promise<void> {
    await this.flush(into);
    if (this.txMaxEventId > this.committedEventId) this.committedEventId = this.txMaxEventId;
    this.stats.lastCommitAt = new Date();
  }

  reset(): void {
    this.pending.clear();
    this.planCtx = null;
    this.txMaxEventId = 0;
    this.ctx = null;
  }

  /**
   * Enqueues the folded keys in one transaction, or inside the caller's when
   * `into` is given (the outbox poller consumes rows in that same transaction).
   * Keyed, so a replay adds nothing.
   */
  async flush(into?: pg.ClientBase): Promise<void> {
    if (this.pending.size === 0) return;
    const list = [...this.pending.values()];
    this.pending.clear();
    const enqueue = (c: pg.ClientBase) => this.o.jobs.enqueue(list, this.o.debounceSeconds, c);
    const created = into ? await enqueue(into) : await withTransaction(this.o.pool, enqueue);
    this.stats.jobsRequested += list.length;
    this.stats.jobsCreated += created;
  }

}
