// The sink between the stream and the job queue: each change is planned as it
// arrives, folded into a set of distinct job keys (memory grows with distinct
// keys, not with rows), and the set is enqueued in one database transaction at
// commit. Only then does the stream acknowledge the commit's LSN.
//
// A large transaction the walsender streams while it is still being written
// folds into a set of its own: it may yet roll back, and its keys must not be
// enqueued before it commits (a job running early would push the state from
// before it). At its commit the set joins the group like an ended
// transaction's; at its rollback the set is dropped. Its distinct keys are
// bounded only by the data it touches (one per Healthengine booking a bulk
// cancel reaches), so past `maxStreamedKeys` they are parked in
// held_job beside pg-boss's tables (unlogged; see db/queries/held-jobs.ts)
// and enqueued from there at its commit.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { RowChange } from '../domain/change-event.ts';
import { jobs, type JobRequest } from '../domain/jobs.ts';
import { PlannedSpans, planChange, type PlanContext, type PlanLink } from '../domain/planner.ts';
import { readLocations } from '../db/queries/adapter-reads.ts';
import { createHeldJobTable, dropAllHeldJobs, dropHeldJobs, heldJobsPage, holdJobs, type HeldCursor } from '../db/queries/held-jobs.ts';
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
  /** flush the group's keys early past this many (bounded memory for huge committed transactions) */
  maxPendingKeys?: number;
  /**
   * park a streamed transaction's keys in held_job past this many (bounded
   * memory for huge open ones). High enough that availability keys (links x
   * resources x horizon days) seldom reach it: parked keys are not remembered,
   * so a statement cycling over more keys than this parks again each time the
   * set fills.
   */
  maxStreamedKeys?: number;
  /** refresh links and time zones at least this often */
  contextTtlMs?: number;
}

export interface PipelineStats {
  transactions: number;
  changes: number;
  /** large transactions received while in progress, and those of them rolled back */
  streamedTransactions: number;
  streamedAborts: number;
  /** keys of streamed transactions parked in held_job (counted as parked, duplicates included) */
  heldKeys: number;
  jobsRequested: number;
  jobsCreated: number;
  lastCommitAt: Date | null;
}

/** Links and time zones, read once for many transactions. */
interface SharedContext { links: PlanContext['links']; timeZones: PlanContext['timeZones']; loadedAt: number }

/** One transaction's planning: its context (one clock reading, the links it saw) and what it touched. */
interface Fold {
  keys: Map<string, JobRequest>;
  ctx: PlanContext | null;
  /** the pipeline's link version when ctx was taken */
  linksVersion: number;
  maxEventId: number;
  linksChanged: boolean;
  /** a streamed transaction's xid; whether some of its keys are parked in held_job, under which connection's token */
  xid: number | null;
  held: boolean;
  stream: string;
}

export class ChangePipeline implements TransactionSink {
  /**
   * the current connection's token for its rows in held_job, drawn anew at
   * each reset(); a fold keeps the token it was made under, so a step of an
   * earlier connection still finishing touches only that connection's rows
   */
  private heldStream = randomUUID();
  /** keys of ended transactions awaiting commit(), and of the open (not streamed) one */
  private pending = new Map<string, JobRequest>();
  private open: Fold = this.newFold(this.pending);
  /** large transactions in progress, by top-level xid */
  private readonly streamed = new Map<number, Fold>();
  private shared: SharedContext | null = null;
  /** bumped whenever a committed transaction changed links */
  private linksVersion = 0;
  private groupMaxEventId = 0;
  private heldTableReady = false;
  /** highest outbox event id of a committed (planned and enqueued) transaction */
  committedEventId = 0;
  readonly stats: PipelineStats = { transactions: 0, changes: 0, streamedTransactions: 0, streamedAborts: 0, heldKeys: 0, jobsRequested: 0, jobsCreated: 0, lastCommitAt: null };
  private readonly o: Required<Omit<ChangePipelineOptions, 'now'>> & { now: () => Date };

  constructor(opts: ChangePipelineOptions) {
    this.o = { maxPendingKeys: 10_000, maxStreamedKeys: 50_000, contextTtlMs: 60_000, now: () => new Date(), ...opts };
  }

  private newFold(keys: Map<string, JobRequest>, xid: number | null = null): Fold {
    return { keys, ctx: null, linksVersion: 0, maxEventId: 0, linksChanged: false, xid, held: false, stream: this.heldStream };
  }

  /** Synchronous unless links and time zones are due to be read. */
  private loadContext(f: Fold): Promise<void> | void {
    const s = this.shared;
    if (s && Date.now() - s.loadedAt <= this.o.contextTtlMs) {
      f.ctx = { links: s.links, timeZones: s.timeZones, now: this.o.now(), horizonDays: this.o.horizonDays, planned: new PlannedSpans() };
      f.linksVersion = this.linksVersion;
      return;
    }
    return this.readShared().then(() => this.loadContext(f));
  }

  private async readShared(): Promise<SharedContext> {
    const [links, locations] = await Promise.all([listPlanLinks(this.o.pool), readLocations(this.o.pool)]);
    this.shared = { links, timeZones: new Map(locations.map((l) => [l.locationId, l.timeZone])), loadedAt: Date.now() };
    return this.shared;
  }

  /** Synchronous while the context is loaded and no flush is due: a bulk statement arrives as one change per row. */
  change(c: RowChange): Promise<void> | void {
    return this.fold(this.open, c, true);
  }

  /** A change of a large transaction still in progress (streamed). */
  streamChange(xid: number, c: RowChange): Promise<void> | void {
    let f = this.streamed.get(xid);
    if (!f) {
      f = this.newFold(new Map(), xid);
      this.streamed.set(xid, f);
      this.stats.streamedTransactions++;
    }
    return this.fold(f, c, false);
  }

  private fold(f: Fold, c: RowChange, mayFlush: boolean): Promise<void> | void {
    this.stats.changes++;
    if (c.table === 'change_event' && c.event.eventId > f.maxEventId) f.maxEventId = c.event.eventId;
    if (c.table === 'practice_link') f.linksChanged = true;
    if (!f.ctx) {
      const loading = this.loadContext(f);
      if (loading) return loading.then(() => this.plan(f, c, mayFlush));
    }
    return this.plan(f, c, mayFlush);
  }

  private plan(f: Fold, c: RowChange, mayFlush: boolean): Promise<void> | void {
    for (const job of planChange(c, f.ctx!)) addJob(f.keys, job);
    if (mayFlush) {
      if (this.pending.size >= this.o.maxPendingKeys) return this.flush();
    } else if (f.keys.size >= this.o.maxStreamedKeys) {
      // a streamed transaction may still roll back: its keys wait until it ends, out of memory
      return this.hold(f);
    }
  }

  private async hold(f: Fold): Promise<void> {
    // in pages, as they are enqueued: one statement's parameters and one result stay small
    let page: JobRequest[] = [];
    for (const job of f.keys.values()) {
      page.push(job);
      if (page.length === this.o.maxPendingKeys) {
        await holdJobs(this.o.pool, this.o.jobs.schema, f.stream, f.xid!, page);
        page = [];
      }
    }
    await holdJobs(this.o.pool, this.o.jobs.schema, f.stream, f.xid!, page);
    this.stats.heldKeys += f.keys.size;
    f.keys.clear();
    f.held = true;
  }

  /** A transaction ended; its keys wait in the group until commit(). */
  endTransaction(): void {
    this.stats.transactions++;
    this.ended(this.open);
    this.open = this.newFold(this.pending);
  }

  /**
   * A streamed transaction committed: its keys join the group. It was planned
   * with the links of its first change; links changed since then may have
   * covered some of its changes differently, so those links resync in full.
   */
  streamCommit(xid: number): Promise<void> | void {
    const f = this.streamed.get(xid);
    this.streamed.delete(xid);
    this.stats.transactions++;
    if (!f) return; // nothing of it was published
    // its parked keys are enqueued before the commit is acknowledged (the stream waits for this)
    const held = f.held ? () => this.releaseHeld(f) : () => undefined;
    if (f.ctx && f.linksVersion !== this.linksVersion) {
      return this.readShared().then(({ links }) => {
        for (const id of changedLinks(f.ctx!.links, links)) addJob(f.keys, jobs.linkSync(id));
        this.o.logger.info({ xid }, 'change stream: links changed while a large transaction was in progress; those links resync in full');
        this.joinGroup(f);
        return held();
      });
    }
    this.joinGroup(f);
    return held();
  }

  /** A committed transaction's parked keys into pg-boss, a page at a time; then its rows go. */
  private async releaseHeld(f: Fold): Promise<void> {
    const limit = this.o.maxPendingKeys;
    let after: HeldCursor | null = null;
    for (;;) {
      const page = await heldJobsPage(this.o.pool, this.o.jobs.schema, f.stream, f.xid!, after, limit);
      if (page.length > 0) await this.enqueue(page);
      if (page.length < limit) break;
      const last = page[page.length - 1]!;
      after = { queue: last.queue, key: last.key };
    }
    await dropHeldJobs(this.o.pool, this.o.jobs.schema, f.stream, f.xid!);
  }

  private joinGroup(f: Fold): void {
    for (const [k, job] of f.keys) this.pending.set(k, job);
    this.ended(f);
  }

  /** A streamed transaction rolled back. Rolled-back subtransactions keep their keys: a spare job re-reads state, never invents it. */
  streamAbort(xid: number): Promise<void> | void {
    const f = this.streamed.get(xid);
    if (!f) return;
    this.streamed.delete(xid);
    this.stats.streamedAborts++;
    if (f.held) return dropHeldJobs(this.o.pool, this.o.jobs.schema, f.stream, xid);
  }

  private ended(f: Fold): void {
    if (f.maxEventId > this.groupMaxEventId) this.groupMaxEventId = f.maxEventId;
    // a link change shows in the next transaction's plan
    if (f.linksChanged) {
      this.shared = null;
      this.linksVersion++;
    }
  }

  get pendingKeys(): number {
    return this.pending.size;
  }

  /** Makes every ended transaction's jobs durable (in `into`'s transaction when given). */
  async commit(into?: pg.ClientBase): Promise<void> {
    await this.flush(into);
    if (this.groupMaxEventId > this.committedEventId) this.committedEventId = this.groupMaxEventId;
    this.stats.lastCommitAt = new Date();
  }

  /** Drops what is in memory of unfinished work (the outbox poller's transaction rolled back). */
  discard(): void {
    this.pending.clear();
    this.open = this.newFold(this.pending);
    this.streamed.clear();
    this.groupMaxEventId = 0;
    this.shared = null;
  }

  /**
   * A new replication connection: the server sends every unfinished
   * transaction again from its start, so what an earlier connection (or a
   * process that died) parked for them goes too.
   */
  async reset(): Promise<void> {
    this.discard();
    this.heldStream = randomUUID();
    if (!this.heldTableReady) {
      await createHeldJobTable(this.o.pool, this.o.jobs.schema);
      this.heldTableReady = true;
    }
    const dropped = await dropAllHeldJobs(this.o.pool, this.o.jobs.schema);
    if (dropped > 0) this.o.logger.info({ keys: dropped }, 'change stream: dropped the parked keys of transactions that were in progress before this connection; they are sent again');
  }

  /**
   * Enqueues the group's keys in one transaction, or inside the caller's when
   * `into` is given (the outbox poller consumes rows in that same transaction).
   * Keyed, so a replay adds nothing.
   */
  async flush(into?: pg.ClientBase): Promise<void> {
    if (this.pending.size === 0) return;
    const list = [...this.pending.values()];
    this.pending.clear();
    await this.enqueue(list, into);
  }

  private async enqueue(list: readonly JobRequest[], into?: pg.ClientBase): Promise<void> {
    const enqueue = (c: pg.ClientBase) => this.o.jobs.enqueue(list, this.o.debounceSeconds, c);
    const created = into ? await enqueue(into) : await withTransaction(this.o.pool, enqueue);
    this.stats.jobsRequested += list.length;
    this.stats.jobsCreated += created;
  }
}

/** Jobs fold by queue and key: one request per debounce unit. */
function addJob(keys: Map<string, JobRequest>, job: JobRequest): void {
  keys.set(`${job.queue}\u0000${job.key}`, job);
}

/** Links enabled now whose coverage differs from what a plan saw (new, re-linked, re-enabled, locations changed). */
export function changedLinks(before: readonly PlanLink[], now: readonly PlanLink[]): number[] {
  const seen = new Map(before.map((l) => [l.linkId, l]));
  return now
    .filter((l) => {
      if (!l.enabled) return false;
      const b = seen.get(l.linkId);
      return !b || !b.enabled || b.generation !== l.generation || b.locationIds.join('\u0000') !== l.locationIds.join('\u0000');
    })
    .map((l) => l.linkId);
}
