// Owns the replication stream for this database: one owner at a time through
// an advisory lock held on a dedicated session (it dies with the process, so a
// standby takes over within a lock-poll interval), reconnects with backoff
// after errors or a PostgreSQL restart, emits heartbeats so an idle database's
// slot keeps advancing, and prunes outbox rows the slot has confirmed.
import pg from 'pg';
import { slotStatus, streamStartFacts } from '../db/queries/status.ts';
import type { Logger } from '../log/logger.ts';
import { HEARTBEAT_PREFIX, ReplicationStream, statusIntervalMs, type TransactionSink } from './replication-stream.ts';

export interface StreamRunnerOptions {
  pool: pg.Pool;
  connectionString: string;
  slotName: string;
  publications: readonly string[];
  sink: TransactionSink;
  logger: Logger;
  heartbeatSeconds: number;
  /** large transactions stream while written above this (0: only at commit) */
  decodingWorkMemKb: number;
  instanceId: string;
  lockPollMs?: number;
  /** highest outbox event id whose transaction is acknowledged */
  acknowledgedEventId: () => number;
}

const LAG_WARN_BYTES = 64 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StreamRunner {
  private stopped = false;
  private stream: ReplicationStream | null = null;
  private lockClient: pg.Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private owning = false;
  private lastAckRecorded = 0;
  private readonly o: StreamRunnerOptions;

  constructor(opts: StreamRunnerOptions) {
    this.o = opts;
  }

  get isOwner(): boolean {
    return this.owning;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async acquire(): Promise<pg.Client | null> {
    const c = new pg.Client({ connectionString: this.o.connectionString, application_name: `he-connector-lock:${this.o.instanceId}` });
    c.on('error', () => {});
    try {
      await c.connect();
      const r = await c.query(`SELECT pg_try_advisory_lock(hashtext('healthengine.stream:' || $1)) AS ok`, [this.o.slotName]);
      if (r.rows[0].ok) return c;
    } catch (err) {
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'change stream: cannot reach the database to take ownership');
    }
    await c.end().catch(() => {});
    return null;
  }

  private async run(): Promise<void> {
    let waitingLogged = false;
    let backoff = 500;
    while (!this.stopped) {
      const lock = await this.acquire();
      if (!lock) {
        if (!waitingLogged) this.o.logger.info('change stream: another instance owns the stream; standing by');
        waitingLogged = true;
        await sleep(this.o.lockPollMs ?? 2000);
        continue;
      }
      waitingLogged = false;
      this.lockClient = lock;
      this.owning = true;
      let lockLost = false;
      lock.on('error', () => { lockLost = true; void this.stream?.stop(); });
      lock.on('end', () => { lockLost = true; void this.stream?.stop(); });
      await this.recordOwner();
      this.o.logger.info({ slot: this.o.slotName }, 'change stream: owner; streaming');
      this.startHeartbeat();
      while (!this.stopped && !lockLost) {
        // unreadable: the stream's own connection reports an unreachable database
        const facts = await streamStartFacts(this.o.pool, this.o.slotName).catch(() => null);
        this.stream = new ReplicationStream({
          streamAboveKb: this.streamAboveKb(facts?.serverVersionNum ?? null),
          resumeLsn: facts?.confirmedLsn ?? null,
          statusIntervalMs: statusIntervalMs(facts?.walSenderTimeoutMs ?? 0),
          connectionString: this.o.connectionString,
          slotName: this.o.slotName,
          publications: this.o.publications,
          sink: this.o.sink,
          logger: this.o.logger,
          onAcknowledged: (lsn, writtenAt) => void this.onAck(lsn, writtenAt),
        });
        const started = Date.now();
        try {
          await this.stream.runOnce();
        } catch (err) {
          if (this.stopped) break;
          this.o.logger.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'change stream: disconnected; reconnecting');
        }
        if (this.stopped || lockLost) break;
        backoff = Date.now() - started > 30_000 ? 500 : Math.min(backoff * 2, 15_000);
        await sleep(backoff);
      }
      this.stopHeartbeat();
      this.owning = false;
      await lock.end().catch(() => {});
      this.lockClient = null;
    }
  }

  /** Streaming of in-progress transactions needs PostgreSQL 14 (pgoutput protocol 2). */
  private streamAboveKb(serverVersionNum: number | null): number | null {
    if (this.o.decodingWorkMemKb === 0 || serverVersionNum === null) return null;
    if (serverVersionNum >= 140000) return this.o.decodingWorkMemKb;
    this.o.logger.info({ serverVersion: serverVersionNum }, 'change stream: PostgreSQL before 14 sends large transactions only at commit');
    return null;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      // a WAL message travels through the slot; its position is safe to confirm
      // when it arrives with nothing in flight, so the slot advances even when idle
      // its content is when it was written (ms, the server's clock): confirming it tells status how current the slot is
      this.o.pool.query(`SELECT pg_logical_emit_message(false, $1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text)`, [HEARTBEAT_PREFIX]).catch(() => {});
      void this.logLag();
    }, this.o.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** Slot lag in the logs (status shows it too): warn when WAL piles up behind the slot. */
  private async logLag(): Promise<void> {
    try {
      const s = await slotStatus(this.o.pool, this.o.slotName);
      // an upper bound: every unconfirmed change was committed after this
      const oldestAgeSeconds = s.oldestPendingEventAt ? Math.max(0, Math.round((Date.now() - s.oldestPendingEventAt.getTime()) / 1000)) : null;
      const fields = { slot: this.o.slotName, lagBytes: s.lagBytes, oldestUnconfirmedChangeAgeAtMostSeconds: oldestAgeSeconds };
      if ((s.lagBytes ?? 0) > LAG_WARN_BYTES) this.o.logger.warn(fields, 'change stream is behind');
      else this.o.logger.debug(fields, 'change stream lag');
    } catch {
      // a lag reading is best effort; the stream itself reports real failures
    }
  }

  private async recordOwner(): Promise<void> {
    await this.o.pool.query(
      `INSERT INTO healthengine.stream_state (slot_name, owner, owner_since) VALUES ($1, $2, now())
       ON CONFLICT (slot_name) DO UPDATE SET owner = excluded.owner, owner_since = excluded.owner_since`,
      [this.o.slotName, this.o.instanceId],
    ).catch(() => {});
  }

  private async onAck(lsn: string, writtenAt: number | null): Promise<void> {
    // bookkeeping at most once a second: it must not cost a write per transaction
    if (Date.now() - this.lastAckRecorded < 1000) return;
    this.lastAckRecorded = Date.now();
    // last_event_at: when the confirmed position was written (a commit's or a
    // heartbeat's time; now() when it is the server's own current position).
    // Every change not yet confirmed was committed after it, so status can
    // bound the age of the oldest one, WAL messages included.
    await this.o.pool.query(
      `UPDATE healthengine.stream_state SET last_ack_lsn = $2::pg_lsn, last_ack_at = now(),
              last_event_at = coalesce(to_timestamp($3::float8 / 1000), now())
        WHERE slot_name = $1`,
      [this.o.slotName, lsn, writtenAt],
    ).catch(() => {});
    // outbox rows exist for DBAs to inspect; once the slot confirmed them they are done
    // (control-table events are for outbox polling: the stream reads those tables directly)
    const upTo = this.o.acknowledgedEventId();
    await this.o.pool.query(
      `DELETE FROM healthengine.change_event WHERE event_id <= $1 OR (kind = 'control' AND created_at < now() - interval '10 seconds')`,
      [upTo],
    ).catch(() => {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    await this.stream?.stop();
    await this.lockClient?.end().catch(() => {});
    await this.loop?.catch(() => {});
  }
}
