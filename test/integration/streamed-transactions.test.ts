// Large transactions reach the connector while they are being written
// (pgoutput protocol 2 streaming): their changes must fold apart from the
// small transactions that commit meanwhile, nothing of theirs may be enqueued
// before they commit, and a rollback must leave nothing behind. The server is
// told to stream anything past 64 kB, so a few thousand rows stream here.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationStream, type TransactionSink } from '../../src/cdc/replication-stream.ts';
import { formatStatus, statusReport } from '../../src/cli/status.ts';
import { PUBLICATIONS } from '../../src/db/install.ts';
import { insertLink } from '../../src/db/queries/practice-links.ts';
import type { RowChange } from '../../src/domain/change-event.ts';
import { QUEUES, type JobRequest } from '../../src/domain/jobs.ts';
import { ChangePipeline } from '../../src/cdc/change-pipeline.ts';
import type { JobQueue } from '../../src/jobs/job-queue.ts';
import { lsnToBigInt } from '../../src/cdc/lsn.ts';
import { createHarness, testLogger, waitFor, type Harness } from '../support/connector-harness.ts';

const STREAM_ABOVE_KB = 64;
const ROWS = 3000;

/** What a sink saw, transaction by transaction, in the order they ended. */
class RecordingSink implements TransactionSink {
  open: RowChange[] = [];
  readonly streams = new Map<number, RowChange[]>();
  readonly ended: { streamed: boolean; xid?: number; changes: RowChange[] }[] = [];
  readonly aborted: number[] = [];
  /** streamChange calls while the transaction had not ended */
  streamedChanges = 0;
  commits = 0;
  change(c: RowChange): void { this.open.push(c); }
  endTransaction(): void { this.ended.push({ streamed: false, changes: this.open }); this.open = []; }
  streamChange(xid: number, c: RowChange): void {
    this.streamedChanges++;
    const list = this.streams.get(xid) ?? [];
    list.push(c);
    this.streams.set(xid, list);
  }
  streamCommit(xid: number): void {
    this.ended.push({ streamed: true, xid, changes: this.streams.get(xid) ?? [] });
    this.streams.delete(xid);
  }
  streamAbort(xid: number): void { this.aborted.push(xid); this.streams.delete(xid); }
  get pendingKeys(): number { return 0; }
  async commit(): Promise<void> { this.commits++; }
  reset(): void { this.open = []; this.streams.clear(); }
}

/**
 * `rows` appointments at location 2 (practitioner 4), tagged so they can be
 * found, on the practice-local day `day` (SQL over the row number g) from
 * today: by default all on the fifth.
 */
const insertMany = (tag: string, rows = ROWS, day = '5') => `
  INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes, notes)
  SELECT 2, 4, 1, (((now() AT TIME ZONE 'Australia/Sydney')::date + ${day} + time '09:00') AT TIME ZONE 'Australia/Sydney') + g * interval '1 second', 15, '${tag}'
  FROM generate_series(1, ${rows}) g`;

const availabilityCount = (changes: RowChange[]) => changes.filter((c) => c.table === 'change_event' && c.event.kind === 'availability').length;

async function begin(pool: pg.Pool): Promise<pg.PoolClient> {
  const c = await pool.connect();
  await c.query('BEGIN');
  return c;
}

/** A stream on the harness's slot, running until stop(); `error` holds how it ended if it failed. */
function openStream(h: Harness, sink: TransactionSink, opts: { url?: string; streamAboveKb?: number | null; resumeLsn?: string | null; statusIntervalMs?: number } = {}) {
  const stream = new ReplicationStream({
    connectionString: opts.url ?? h.config.DATABASE_URL,
    slotName: h.config.CONNECTOR_SLOT_NAME,
    publications: PUBLICATIONS,
    sink,
    logger: testLogger(),
    streamAboveKb: opts.streamAboveKb === undefined ? STREAM_ABOVE_KB : opts.streamAboveKb,
    resumeLsn: opts.resumeLsn,
    statusIntervalMs: opts.statusIntervalMs,
  });
  const opened = { stream, error: null as Error | null, running: Promise.resolve(), stop: async () => { await stream.stop(); await opened.running; } };
  opened.running = stream.runOnce().catch((err: Error) => { opened.error = err; });
  return opened;
}

describe('large transactions streamed while written', () => {
  let h: Harness;
  let sink: RecordingSink;
  let opened: ReturnType<typeof openStream>;

  beforeAll(async () => {
    h = await createHarness('streamed_tx', 'http://127.0.0.1:9/pms-api/v1');
    sink = new RecordingSink();
    opened = openStream(h, sink);
  });
  afterAll(async () => {
    await opened?.stop();
    await h?.stop();
  });

  it('arrives before its commit, folds apart from a small transaction committed meanwhile, and is acknowledged after it', async () => {
    let beforeCommit = '';
    const big = await begin(h.db.pool);
    try {
      await big.query(insertMany('streamed-big'));
      // the walsender sends it while it is still open
      await waitFor('the open transaction streamed', () => sink.streamedChanges > 0, 20_000);
      expect(sink.ended.filter((t) => t.streamed)).toHaveLength(0);

      await h.db.pool.query(insertMany('streamed-small', 1));
      await waitFor('the small transaction', () => sink.ended.some((t) => !t.streamed && availabilityCount(t.changes) === 1));
      expect(sink.ended.filter((t) => t.streamed)).toHaveLength(0);

      beforeCommit = (await big.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`)).rows[0].lsn;
      await big.query('COMMIT');
    } finally {
      big.release();
    }
    const done = await waitFor('the large transaction committed', () => sink.ended.find((t) => t.streamed));
    expect(availabilityCount(done.changes)).toBe(ROWS);
    expect(sink.ended.findIndex((t) => t.streamed)).toBeGreaterThan(sink.ended.findIndex((t) => !t.streamed && availabilityCount(t.changes) === 1));

    // acknowledged once it ended: the slot passes its commit record
    await waitFor('the slot confirmed the large commit', async () => {
      const r = await h.db.pool.query(`SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`, [h.config.CONNECTOR_SLOT_NAME]);
      return lsnToBigInt(r.rows[0].lsn) > lsnToBigInt(beforeCommit);
    });
  });

  it('a rolled-back large transaction leaves nothing; a savepoint rolled back inside one does not end it', async () => {
    const endedBefore = sink.ended.length;
    const aborted = await begin(h.db.pool);
    try {
      await aborted.query(insertMany('streamed-aborted'));
      await waitFor('the doomed transaction streamed', () => sink.streams.size > 0, 20_000);
      await aborted.query('ROLLBACK');
    } finally {
      aborted.release();
    }
    await waitFor('its abort', () => sink.aborted.length === 1);
    expect(sink.streams.size).toBe(0);

    const withSavepoint = await begin(h.db.pool);
    try {
      await withSavepoint.query(insertMany('streamed-kept'));
      await withSavepoint.query('SAVEPOINT undo');
      await withSavepoint.query(insertMany('streamed-undone'));
      await withSavepoint.query('ROLLBACK TO SAVEPOINT undo');
      await withSavepoint.query(insertMany('streamed-kept-too', 10));
      await withSavepoint.query('COMMIT');
    } finally {
      withSavepoint.release();
    }
    const kept = await waitFor('the transaction with a rolled-back savepoint', () => sink.ended.slice(endedBefore).find((t) => t.streamed));
    expect(sink.aborted).toHaveLength(1);
    // every change that committed is there (a rolled-back savepoint's may be too: a spare job re-reads state)
    expect(availabilityCount(kept.changes)).toBeGreaterThanOrEqual(ROWS + 10);
    expect(sink.ended.slice(endedBefore).filter((t) => t.changes.length > 0)).toHaveLength(1);
  });
});

describe('a large transaction through the connector', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('streamed_jobs', 'http://127.0.0.1:9/pms-api/v1', { CONNECTOR_DECODING_WORK_MEM_KB: STREAM_ABOVE_KB, CONNECTOR_HORIZON_DAYS: 14 });
    await insertLink(h.db.pool, { practiceId: '7001', practiceKey: 'key-7001', locationIds: ['2'] });
  });
  afterAll(async () => h?.stop());

  const jobsForDay = async () => (await h.db.pool.query(
    `SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1 AND data->>'calendarId' = 'prac-4'
       AND data->>'date' = ((now() AT TIME ZONE 'Australia/Sydney')::date + 5)::text`,
    [QUEUES.availabilityPush],
  )).rows[0].n as number;

  it('enqueues nothing while the transaction is open, its keys once it commits, and nothing for one rolled back', async () => {
    const c = await h.startConnector({}, { workers: false });
    await waitFor('the link planned', async () => (await h.db.pool.query(`SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1`, [QUEUES.linkSync])).rows[0].n > 0);

    const doomed = await begin(h.db.pool);
    try {
      await doomed.query(insertMany('connector-doomed'));
      await waitFor('streamed while open', () => c.pipeline.stats.streamedTransactions >= 1, 20_000);
      await doomed.query('ROLLBACK');
    } finally {
      doomed.release();
    }
    await waitFor('the abort', () => c.pipeline.stats.streamedAborts >= 1);

    const big = await begin(h.db.pool);
    try {
      await big.query(insertMany('connector-big'));
      await waitFor('streamed while open', () => c.pipeline.stats.streamedTransactions >= 2, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await jobsForDay()).toBe(0);
      await big.query('COMMIT');
    } finally {
      big.release();
    }
    await waitFor('the day enqueued once the transaction committed', async () => (await jobsForDay()) === 1);
  });
});

describe('a large transaction with more distinct keys than are held in memory', () => {
  // A streamed transaction's keys cannot be enqueued before it commits, and
  // its distinct keys grow with the data it touches; past maxStreamedKeys
  // they are parked in healthengine_jobs.held_job.
  const HELD = 4;
  const DAYS = 13;
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('streamed_held', 'http://127.0.0.1:9/pms-api/v1', { CONNECTOR_DECODING_WORK_MEM_KB: STREAM_ABOVE_KB, CONNECTOR_HORIZON_DAYS: 14 });
    await insertLink(h.db.pool, { practiceId: '7002', practiceKey: 'key-7002', locationIds: ['2'] });
  });
  afterAll(async () => h?.stop());

  /** ROWS appointments spread over DAYS practice-local days from tomorrow: one availability key per day */
  const insertSpread = (tag: string) => insertMany(tag, ROWS, `1 + g % ${DAYS}`);
  const dayJobs = async () => (await h.db.pool.query(
    `SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1 AND data->>'calendarId' = 'prac-4'
       AND (data->>'date')::date BETWEEN (now() AT TIME ZONE 'Australia/Sydney')::date + 1 AND (now() AT TIME ZONE 'Australia/Sydney')::date + ${DAYS}`,
    [QUEUES.availabilityPush],
  )).rows[0].n as number;
  const heldRows = async () => (await h.db.pool.query(`SELECT count(*)::int AS n FROM healthengine_jobs.held_job`)).rows[0].n as number;
  const limits = { maxStreamedKeys: HELD };

  it('parks the keys past the bound while open, drops them on reconnect and rollback, and enqueues every one at commit', async () => {
    let c = await h.startConnector({}, { workers: false, limits });
    await waitFor('the link planned', async () => (await h.db.pool.query(`SELECT count(*)::int AS n FROM healthengine_jobs.job WHERE name = $1`, [QUEUES.linkSync])).rows[0].n > 0);

    const doomed = await begin(h.db.pool);
    try {
      await doomed.query(insertSpread('held-doomed'));
      await waitFor('keys parked while open', async () => c.pipeline.stats.heldKeys >= HELD && (await heldRows()) >= HELD, 20_000);
      await doomed.query('ROLLBACK');
    } finally {
      doomed.release();
    }
    await waitFor('the rollback drops its parked keys', async () => c.pipeline.stats.streamedAborts >= 1 && (await heldRows()) === 0);

    const big = await begin(h.db.pool);
    try {
      await big.query(insertSpread('held-big'));
      await waitFor('keys parked while open', async () => (await heldRows()) >= HELD, 20_000);
      expect(await dayJobs()).toBe(0);
      // what an on-call engineer sees meanwhile
      const status = await statusReport(h.db.pool, h.config.CONNECTOR_SLOT_NAME, h.config.CONNECTOR_JOB_SCHEMA);
      expect(status.held.transactions).toBe(1);
      expect(status.held.keys).toBeGreaterThanOrEqual(HELD);
      expect(formatStatus(status)).toMatch(/a large transaction in progress: \d+ job keys parked until it commits/);

      // the owner goes while the transaction is open; rows of a transaction
      // that will never be seen again (here: made up) must not outlive a reconnect either
      await c.stop();
      await h.db.pool.query(`INSERT INTO healthengine_jobs.held_job (stream, xid, queue, key, data) VALUES ('a-connection-gone', 1, $1, 'stale', '{}')`, [QUEUES.availabilityPush]);
      c = await h.startConnector({}, { workers: false, limits });
      await waitFor('the transaction streamed again and parked anew', () => c.pipeline.stats.heldKeys >= HELD, 20_000);
      expect((await h.db.pool.query(`SELECT count(*)::int AS n FROM healthengine_jobs.held_job WHERE key = 'stale'`)).rows[0].n).toBe(0);
      expect(await dayJobs()).toBe(0);
      await big.query('COMMIT');
    } finally {
      big.release();
    }
    await waitFor('every day enqueued once the transaction committed', async () => (await dayJobs()) === DAYS, 20_000);
    await waitFor('the parked rows gone', async () => (await heldRows()) === 0);
  });
});

describe('parked keys of an owner that lost the stream', () => {
  // An owner whose lock connection died stops its stream, but a step it had
  // started (enqueuing a committed transaction's parked keys, dropping an
  // aborted one's) may still be running when the next owner streams the same
  // transaction again and parks its keys anew: neither may delete the other's.
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('streamed_owners', 'http://127.0.0.1:9/pms-api/v1');
    await h.db.pool.query(`CREATE SCHEMA IF NOT EXISTS ${h.config.CONNECTOR_JOB_SCHEMA}`);
  });
  afterAll(async () => h?.stop());

  /** a pipeline whose queue only records what it is given (the queue is not what is tested) */
  const pipeline = () => {
    const enqueued: string[] = [];
    const jobs = { schema: h.config.CONNECTOR_JOB_SCHEMA, enqueue: async (list: readonly JobRequest[]) => { enqueued.push(...list.map((j) => j.key)); return list.length; } } as unknown as JobQueue;
    return { p: new ChangePipeline({ pool: h.db.pool, jobs, debounceSeconds: 0, horizonDays: 14, logger: testLogger(), maxStreamedKeys: 1 }), enqueued };
  };
  const cancelled = (appointmentId: string): RowChange => ({ table: 'change_event', event: {
    eventId: 0, origin: 'pms', kind: 'appointment_state', configKind: null, locationId: null, calendarId: null, atFrom: null, atTo: null,
    localFrom: null, localTo: null, weekday: null, appointmentId, appointmentState: 'cancelled',
  } });

  it('the old owner dropping its rows for a transaction leaves the new owner\'s rows for it, which reach the queue at its commit', async () => {
    const xid = 4242;
    const old = pipeline();
    await old.p.reset();
    for (const id of ['801', '802']) await old.p.streamChange(xid, cancelled(id));

    const next = pipeline();
    await next.p.reset();
    for (const id of ['801', '802', '803']) await next.p.streamChange(xid, cancelled(id));

    await old.p.streamAbort(xid); // the old owner's last step
    await next.p.streamCommit(xid);
    await next.p.commit();
    expect(next.enqueued.sort()).toEqual(['appt:801:cancelled', 'appt:802:cancelled', 'appt:803:cancelled']);
    expect(old.enqueued).toEqual([]);
  });
});

describe('a DATABASE_URL that carries its own server options', () => {
  let h: Harness;
  let sink: RecordingSink;
  let opened: ReturnType<typeof openStream>;
  const DBA_APP_NAME = 'dba-named-stream';

  beforeAll(async () => {
    h = await createHarness('streamed_opts', 'http://127.0.0.1:9/pms-api/v1');
    sink = new RecordingSink();
    // node-pg lets a URL's options replace the ones passed beside it: ours must survive, and the DBA's too
    opened = openStream(h, sink, { url: `${h.config.DATABASE_URL}?options=${encodeURIComponent(`-c application_name=${DBA_APP_NAME}`)}` });
  });
  afterAll(async () => {
    await opened?.stop();
    await h?.stop();
  });

  it('still streams a large transaction while it is written, and keeps the DBA\'s setting', async () => {
    const big = await begin(h.db.pool);
    try {
      await big.query(insertMany('streamed-options'));
      // the server's default logical_decoding_work_mem (64 MB) would hold these 3,000 rows until the commit
      await waitFor('the open transaction streamed', () => sink.streamedChanges > 0, 20_000);
      await big.query('COMMIT');
    } finally {
      big.release();
    }
    const r = await h.db.pool.query(
      `SELECT r.application_name FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1`,
      [h.config.CONNECTOR_SLOT_NAME],
    );
    expect(r.rows[0]?.application_name).toBe(DBA_APP_NAME);
  });
});

describe('a first commit whose jobs take longer to enqueue than wal_sender_timeout', () => {
  // While a step waits (pg-boss slow to commit the jobs), the socket is
  // paused: the walsender's request for a reply waits unread, and before a
  // connection's first acknowledgement there was nothing to reply with. The
  // walsender hung up after wal_sender_timeout, and a first transaction
  // whose step took longer than that was read again on every reconnect.
  const ENQUEUE_MS = 5_000;
  let h: Harness;

  class SlowEnqueueSink extends RecordingSink {
    override async commit(): Promise<void> {
      await new Promise((r) => setTimeout(r, ENQUEUE_MS));
      await super.commit();
    }
  }

  beforeAll(async () => {
    h = await createHarness('slow_first_commit', 'http://127.0.0.1:9/pms-api/v1');
  });
  afterAll(async () => h?.stop());

  it('reports the slot\'s confirmed position unasked, so the walsender keeps the connection until the commit is acknowledged', async () => {
    const slotLsn = async () => (await h.db.pool.query(`SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`, [h.config.CONNECTOR_SLOT_NAME])).rows[0].lsn as string;
    const confirmed = await slotLsn();
    await h.db.pool.query(insertMany('slow-first-commit', 1));
    const sink = new SlowEnqueueSink();
    // this walsender hangs up after 2 s without a word from us
    const opened = openStream(h, sink, { url: `${h.config.DATABASE_URL}?options=${encodeURIComponent('-c wal_sender_timeout=2s')}`, streamAboveKb: null, resumeLsn: confirmed, statusIntervalMs: 500 });
    try {
      // while the jobs are enqueued, the position reported is the slot's own: unchanged, not a byte on
      await new Promise((r) => setTimeout(r, 1_500));
      expect(lsnToBigInt(await slotLsn())).toBe(lsnToBigInt(confirmed));
      await waitFor('the commit acknowledged, or the connection lost', async () => opened.error !== null || lsnToBigInt(await slotLsn()) > lsnToBigInt(confirmed), ENQUEUE_MS + 15_000);
      expect(opened.error).toBeNull();
      expect(sink.commits).toBe(1);
    } finally {
      await opened.stop();
    }
  });
});
