// Reads behind `status`: what a practice admin and an on-call engineer need.
import { tableExists } from './catalog.ts';
import type { Queryable } from './practice-links.ts';

export interface SlotStatus {
  exists: boolean;
  active: boolean;
  walStatus: string | null;
  lagBytes: number | null;
  /**
   * every change not yet confirmed was committed after this: the time the
   * confirmed position was written (recorded by the stream owner), or the
   * oldest outbox row still there if that is older
   */
  oldestPendingEventAt: Date | null;
  owner: string | null;
  lastAckAt: Date | null;
}

export async function slotStatus(db: Queryable, slotName: string): Promise<SlotStatus> {
  const r = await db.query(
    `SELECT s.active, s.wal_status,
            pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint AS lag,
            -- LEAST skips a NULL: no outbox row waiting, or no position recorded yet
            LEAST((SELECT min(created_at) FROM healthengine.change_event WHERE kind <> 'control'), st.last_event_at) AS oldest,
            st.owner, st.last_ack_at
     FROM pg_replication_slots s LEFT JOIN healthengine.stream_state st ON st.slot_name = s.slot_name
     WHERE s.slot_name = $1`,
    [slotName],
  );
  const x = r.rows[0];
  if (!x) return { exists: false, active: false, walStatus: null, lagBytes: null, oldestPendingEventAt: null, owner: null, lastAckAt: null };
  return { exists: true, active: x.active, walStatus: x.wal_status, lagBytes: x.lag === null ? null : Number(x.lag), oldestPendingEventAt: x.oldest, owner: x.owner, lastAckAt: x.last_ack_at };
}

/** Outbox-poll mode: the outbox is the queue; what waits in it, and since when. */
export async function outboxBacklog(db: Queryable): Promise<{ waiting: number; oldestAt: Date | null }> {
  const r = await db.query(`SELECT count(*)::int AS n, min(created_at) AS oldest FROM healthengine.change_event`);
  return { waiting: r.rows[0].n, oldestAt: r.rows[0].oldest };
}

/** What a replication connection is set up from, read before each connection. */
export interface StreamStartFacts {
  serverVersionNum: number;
  /** 0: disabled */
  walSenderTimeoutMs: number;
  /** the slot's confirmed_flush_lsn (null: no slot) */
  confirmedLsn: string | null;
}

export async function streamStartFacts(db: Queryable, slotName: string): Promise<StreamStartFacts> {
  const r = await db.query(
    `SELECT current_setting('server_version_num')::int AS v,
            (SELECT setting::int FROM pg_settings WHERE name = 'wal_sender_timeout') AS timeout_ms,
            (SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1) AS lsn`,
    [slotName],
  );
  const x = r.rows[0];
  return { serverVersionNum: x.v, walSenderTimeoutMs: x.timeout_ms ?? 0, confirmedLsn: x.lsn ?? null };
}

/** Jobs waiting or running per link, from pg-boss's job table. */
export async function pendingJobsByLink(db: Queryable, jobSchema: string): Promise<Map<number, number>> {
  if (!(await tableExists(db, `${jobSchema}.job`))) return new Map();
  const r = await db.query(
    `SELECT (data->>'linkId')::bigint AS link_id, count(*)::int AS n FROM ${jobSchema}.job
     WHERE state IN ('created','retry','active') AND data ? 'linkId' GROUP BY 1`,
  );
  return new Map(r.rows.map((x) => [Number(x.link_id), x.n]));
}
