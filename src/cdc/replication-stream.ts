// Reads the slot through pgoutput and hands each transaction to the sink.
// Large transactions arrive while they are still being written (pgoutput
// streaming, see pgoutput-plugin.ts): their changes fold apart by transaction
// id and join the group at their Stream Commit, like any other commit.
// Acknowledgement is entirely ours: pg-logical-replication 2.5.0 would
// otherwise acknowledge what it has merely *received* (auto mode, and its
// timer even with auto off), which loses changes on a crash. So: auto off,
// timer off (timeoutSeconds 0), and we acknowledge a commit's end LSN only
// after the sink has made its jobs durable; keepalives that ask for a reply get
// the last processed LSN, or the server position when nothing is in flight.
//
// Dispatch: a bulk statement arrives as one message per row, so the common
// message is handled synchronously, straight from the library's 'data' event
// (its flow-control mode would queue every message and await each one).
// Only when a step is asynchronous (a group flush, a context read) does the
// stream pause its socket and queue what is already parsed, in order, until
// the step is done: memory stays bounded by one socket read.
import { LogicalReplicationService } from 'pg-logical-replication';
import { CHANGE_MESSAGE_PREFIX, ChangeMessageError, decodeChangeMessage, type ChangeEvent, type RowChange } from '../domain/change-event.ts';
import type { Logger } from '../log/logger.ts';
import { decodeRowMessage, type PgoutputRowMessage } from './decode.ts';
import { withSessionSettings } from '../db/session-settings.ts';
import { lsnBefore, lsnGreater, maxLsn } from './lsn.ts';
import { StreamingPgoutputPlugin } from './pgoutput-plugin.ts';

export const HEARTBEAT_PREFIX = 'healthengine.heartbeat';
/** bounds of a commit group: latency added and keys held */
const GROUP_MAX_MS = 100;
const GROUP_MAX_KEYS = 5000;

/** Keys of ended transactions carry over until commit(): transactions are grouped. */
export interface TransactionSink {
  /** folds one change into the open transaction; may flush early to bound memory */
  change(c: RowChange): Promise<void> | void;
  /** the transaction ended; its jobs may wait to be made durable together with the next ones' */
  endTransaction(): void;
  /** jobs of ended transactions not yet durable */
  readonly pendingKeys: number;
  /** makes every job of the ended transactions durable; their LSN is acknowledged only after it resolves */
  commit(): Promise<void>;
  /** a change of a large transaction still in progress, by its top-level xid */
  streamChange(xid: number, c: RowChange): Promise<void> | void;
  /** that transaction committed: its keys join the ended transactions' */
  streamCommit(xid: number): Promise<void> | void;
  /** that transaction rolled back */
  streamAbort(xid: number): Promise<void> | void;
  /** a new connection, before it streams: drop anything of an unfinished transaction (the server sends it again) */
  reset(): Promise<void> | void;
}

export interface ReplicationStreamOptions {
  connectionString: string;
  slotName: string;
  publications: readonly string[];
  sink: TransactionSink;
  logger: Logger;
  /**
   * after each confirmed position: `writtenAt` is when the server wrote it
   * (ms since the epoch: the commit's timestamp, or the heartbeat's), null
   * when it is the server's current position (a keepalive answered while
   * idle: caught up now)
   */
  onAcknowledged?: (lsn: string, writtenAt: number | null) => void;
  /**
   * Receive large transactions while they are written (PostgreSQL 14+), once
   * the walsender holds more than this many kB of one (its
   * logical_decoding_work_mem); null: only at commit, protocol 1.
   */
  streamAboveKb: number | null;
  /**
   * The slot's confirmed_flush_lsn as this connection starts: what the
   * stream reports as confirmed until it acknowledges something itself
   * (reporting it moves nothing).
   */
  resumeLsn?: string | null;
  /**
   * How often the stream reports its confirmed position unasked (default
   * 10 s, PostgreSQL's own wal_receiver_status_interval; statusIntervalMs()
   * for a server with a shorter wal_sender_timeout). The walsender hangs up
   * after wal_sender_timeout (60 s) without a word from us, and its request
   * for one waits in the socket behind everything it sent
   * before: while a long transaction is read, or a step waits with the
   * socket paused, only a report sent unasked arrives in time. Without it a
   * first transaction that takes longer than that to read would be read
   * again from its start on every reconnect, forever.
   */
  statusIntervalMs?: number;
}

/**
 * How often to report the confirmed position unasked: PostgreSQL's own 10 s,
 * or a third of a shorter wal_sender_timeout (at least 1 s), so two reports
 * fall inside every timeout window.
 */
export function statusIntervalMs(walSenderTimeoutMs: number): number {
  if (!(walSenderTimeoutMs > 0)) return 10_000;
  return Math.max(1_000, Math.min(10_000, Math.floor(walSenderTimeoutMs / 3)));
}

/** Queued behind an asynchronous step: a message, or the group flush scheduled after a read. */
type Queued = { lsn: string; msg: Msg } | 'flush';

interface Msg {
  tag: string;
  commitEndLsn?: string | null;
  prefix?: string;
  transactional?: boolean;
  content?: Uint8Array;
  /** commit and stream commit: microseconds since the Unix epoch */
  commitTime?: bigint;
  xid?: number;
  subXid?: number;
  firstSegment?: boolean;
}

export class ReplicationStream {
  private service: LogicalReplicationService | null = null;
  private inTransaction = false;
  /** top-level xid of the stream block being received, if any */
  private blockXid: number | null = null;
  /** streamed transactions begun and not yet ended */
  private readonly openStreams = new Set<number>();
  private failed: Error | null = null;
  private lastAcked: string | null = null;
  private stopping = false;
  /** end LSN of the last transaction whose jobs await the group's flush, and its commit time (ms) */
  private unflushedLsn: string | null = null;
  private unflushedAt: number | null = null;
  private groupStartedAt = 0;
  /** an asynchronous step is running: what arrives meanwhile waits in `queue` */
  private stepping = false;
  private readonly queue: Queued[] = [];
  private flushScheduled = false;
  private readonly o: ReplicationStreamOptions;

  constructor(opts: ReplicationStreamOptions) {
    this.o = opts;
    // the library reports acknowledge(lsn) as lsn + 1, which the slot shows as
    // confirmed_flush_lsn: one byte less reports the slot's own position
    // unchanged (as it is, each connection would creep it on by a byte, and
    // enough reconnects past a commit not yet acknowledged)
    this.lastAcked = opts.resumeLsn ? lsnBefore(opts.resumeLsn) : null;
  }

  /** Streams until stop() or a failure; resolves or rejects when the stream ends. */
  async runOnce(): Promise<void> {
    this.failed = null;
    this.inTransaction = false;
    this.blockXid = null;
    this.openStreams.clear();
    this.unflushedLsn = null;
    this.groupStartedAt = 0;
    this.stepping = false;
    this.queue.length = 0;
    this.flushScheduled = false;
    await this.o.sink.reset();
    // a fresh service per connection: re-subscribing one instance can skip unacknowledged data
    const streamAbove = this.o.streamAboveKb;
    const service = new LogicalReplicationService(
      streamAbove !== null ? withSessionSettings(this.o.connectionString, { logical_decoding_work_mem: `${streamAbove}kB` }) : { connectionString: this.o.connectionString },
      // flow control off: the library emits each message as it is parsed; ours is in submit()
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } },
    );
    this.service = service;
    let streamError: Error | null = null;
    service.on('error', (err: Error) => { streamError ??= err; });
    service.on('data', (lsn: string, msg: Msg) => this.submit(service, { lsn, msg }));
    service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      if (!shouldRespond || this.failed) return;
      const idle = !this.inTransaction && this.blockXid === null && this.unflushedLsn === null && !this.stepping;
      const target = idle ? maxLsn(this.lastAcked, lsn) : this.lastAcked;
      if (target) void this.ack(service, target, null);
    });
    // only once the server is in replication mode: a status message before
    // START_REPLICATION answers would be a protocol error
    let replicating = false;
    service.on('start', () => { replicating = true; });
    const status = setInterval(() => {
      if (replicating && this.lastAcked && !this.failed && !this.stopping && service === this.service) void service.acknowledge(this.lastAcked);
    }, this.o.statusIntervalMs ?? 10_000);
    status.unref();
    const plugin = new StreamingPgoutputPlugin({ publicationNames: this.o.publications, streaming: streamAbove !== null });
    try {
      // structurally the library's plugin type; it only calls name, start() and parse()
      await service.subscribe(plugin as unknown as Parameters<LogicalReplicationService['subscribe']>[0], this.o.slotName, '0/00000000');
    } finally {
      clearInterval(status);
      await service.stop().catch(() => {});
      this.service = null;
    }
    const err = this.failed ?? streamError;
    if (err && !this.stopping) throw err;
  }

  /** Handles a message (or the scheduled flush) now, or after the running step and what queued before it. */
  private submit(service: LogicalReplicationService, item: Queued): void {
    if (this.failed || this.stopping || service !== this.service) return;
    if (this.stepping) {
      this.queue.push(item);
      return;
    }
    let step: Promise<void> | void;
    try {
      step = this.process(service, item);
    } catch (err) {
      this.fail(service, err as Error);
      return;
    }
    if (step) void this.drain(service, step);
  }

  private process(service: LogicalReplicationService, item: Queued): Promise<void> | void {
    return item === 'flush' ? this.flushGroup(service) : this.handle(service, item.lsn, item.msg);
  }

  /** Awaits a step with the socket paused, then works through what queued meanwhile, in order. */
  private async drain(service: LogicalReplicationService, step: Promise<void>): Promise<void> {
    this.stepping = true;
    socketOf(service)?.pause?.();
    try {
      await step;
      while (this.queue.length > 0 && !this.failed && !this.stopping) {
        const next = this.process(service, this.queue.shift()!);
        if (next) await next;
      }
    } catch (err) {
      this.fail(service, err as Error);
    } finally {
      this.queue.length = 0;
      this.stepping = false;
      if (!this.failed && !this.stopping) socketOf(service)?.resume?.();
    }
  }

  private fail(service: LogicalReplicationService, err: Error): void {
    if (this.failed) return;
    // stop consuming: nothing after this point may be acknowledged
    this.failed = err;
    this.queue.length = 0;
    this.o.logger.error({ err: { message: err.message } }, 'change stream: processing failed; reconnecting from the last acknowledged position');
    void service.stop();
  }

  private handle(service: LogicalReplicationService, lsn: string, msg: Msg): Promise<void> | void {
    switch (msg.tag) {
      case 'message':
        if (msg.prefix === CHANGE_MESSAGE_PREFIX && msg.transactional) return this.changeMessage(msg.content);
        // our own heartbeat: with nothing in flight, its position is safe to confirm
        if (msg.prefix === HEARTBEAT_PREFIX && !msg.transactional && !this.inTransaction) {
          const flushed = this.flushGroup(service);
          const at = heartbeatTime(msg.content);
          return flushed ? flushed.then(() => this.ack(service, lsn, at)) : this.ack(service, lsn, at);
        }
        return;
      case 'begin':
        this.inTransaction = true;
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const change = decodeRowMessage(msg as unknown as PgoutputRowMessage);
        return change ? this.route(change) : undefined;
      }
      case 'commit':
        this.inTransaction = false;
        this.o.sink.endTransaction();
        return this.committed(service, msg.commitEndLsn ?? lsn, msg.commitTime);
      case 'stream_start':
        if (msg.firstSegment) this.openStreams.add(msg.xid!);
        else if (!this.openStreams.has(msg.xid!)) throw new Error(`pgoutput sent a later block of transaction ${msg.xid} without its first one`);
        this.blockXid = msg.xid!;
        return;
      case 'stream_stop':
        this.blockXid = null;
        return;
      case 'stream_commit': {
        this.openStreams.delete(msg.xid!);
        const end = msg.commitEndLsn ?? lsn;
        const joined = this.o.sink.streamCommit(msg.xid!);
        return joined ? joined.then(() => this.committed(service, end, msg.commitTime)) : this.committed(service, end, msg.commitTime);
      }
      case 'stream_abort':
        // a rolled-back subtransaction keeps its keys (a spare job re-reads state; see change-pipeline.ts)
        if (msg.subXid === msg.xid) {
          this.openStreams.delete(msg.xid!);
          return this.o.sink.streamAbort(msg.xid!);
        }
        return;
      default:
        return; // relation, type, origin, truncate: nothing to plan
    }
  }

  /** A change the adapter emitted as a WAL message (sql/capture/wal-messages.sql). */
  private changeMessage(content: Uint8Array | undefined): Promise<void> | void {
    let events: ReturnType<typeof decodeChangeMessage>;
    try {
      events = decodeChangeMessage(content ?? new Uint8Array());
    } catch (err) {
      // an adapter bug: nothing to retry, and stopping here would hold the slot
      // (and every later change) back; the message holds ids only, no patient data
      if (!(err instanceof ChangeMessageError)) throw err;
      this.o.logger.error({ err: { message: err.message } }, 'change stream: skipped a change message the adapter wrote malformed');
      return;
    }
    if (!Array.isArray(events)) return this.route({ table: 'change_event', event: events as ChangeEvent });
    // a move to another day: the range left, then the range taken
    const [left, taken] = events as readonly [ChangeEvent, ChangeEvent];
    const first = this.route({ table: 'change_event', event: left });
    return first ? first.then(() => this.route({ table: 'change_event', event: taken })) : this.route({ table: 'change_event', event: taken });
  }

  private route(c: RowChange): Promise<void> | void {
    return this.blockXid === null ? this.o.sink.change(c) : this.o.sink.streamChange(this.blockXid, c);
  }

  private committed(service: LogicalReplicationService, endLsn: string, commitTime: bigint | undefined): Promise<void> | void {
    this.unflushedLsn = endLsn;
    this.unflushedAt = commitTime === undefined ? null : Number(commitTime / 1000n);
    if (this.groupStartedAt === 0) this.groupStartedAt = Date.now();
    if (this.o.sink.pendingKeys >= GROUP_MAX_KEYS || Date.now() - this.groupStartedAt >= GROUP_MAX_MS) return this.flushGroup(service);
    // group commit: the rest of this socket read is handled before the
    // flush, so small transactions arriving together share one enqueue
    // transaction and one acknowledgement
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.submit(service, 'flush');
      });
    }
  }

  private flushGroup(service: LogicalReplicationService): Promise<void> | void {
    const lsn = this.unflushedLsn;
    const at = this.unflushedAt;
    if (lsn === null) return;
    return this.o.sink.commit().then(() => {
      if (this.unflushedLsn === lsn) this.unflushedLsn = null;
      this.groupStartedAt = 0;
      return this.ack(service, lsn, at);
    });
  }

  private async ack(service: LogicalReplicationService, lsn: string, writtenAt: number | null): Promise<void> {
    if (this.lastAcked && !lsnGreater(lsn, this.lastAcked)) {
      await service.acknowledge(this.lastAcked);
      return;
    }
    const ok = await service.acknowledge(lsn);
    if (ok) {
      this.lastAcked = lsn;
      this.o.onAcknowledged?.(lsn, writtenAt);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.service?.stop().catch(() => {});
  }
}

/**
 * When the stream runner's heartbeat message was written (its content: ms
 * since the epoch, by the server's clock); null for a heartbeat of an earlier
 * version (a timestamp as text) or anything unreadable.
 */
export function heartbeatTime(content: Uint8Array | undefined): number | null {
  if (!content) return null;
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
  return /^\d{12,14}$/.test(text) ? Number(text) : null;
}

/** The replication connection's socket (the library pauses it the same way in its flow-control mode). */
function socketOf(service: LogicalReplicationService): { pause?: () => void; resume?: () => void } | undefined {
  return (service as unknown as { _connection?: { stream?: { pause?: () => void; resume?: () => void } } })._connection?.stream;
}
