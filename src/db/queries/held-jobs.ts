// Every statement on <job schema>.held_job: the job keys of a large
// transaction still in progress (streamed by the walsender while it is
// written) beyond those the connector holds in memory. Such a transaction
// may roll back, so its jobs cannot be enqueued yet, and its distinct keys
// are bounded only by the data it touches. Rows live from its first streamed
// block to its commit (moved into pg-boss) or rollback (deleted).
//
// Rows belong to one replication connection (`stream`, a token the pipeline
// draws at each connection): an owner that lost its lock may still be
// finishing a step while the next owner streams the same transaction again,
// and neither may delete the other's rows.
//
// The table is the connector's working state, like pg-boss's own tables
// beside it in CONNECTOR_JOB_SCHEMA, so the connector creates it: no
// install step, no grant. UNLOGGED: the stream owner empties it whenever it
// (re)connects, because the server sends unfinished transactions again from
// their start, so nothing in it must survive a crash; and it writes no WAL
// for the PMS database to keep or the walsender to read.
import type { JobRequest } from '../../domain/jobs.ts';
import { tableExists } from './catalog.ts';
import type { Queryable } from './practice-links.ts';

/** `schema` is CONNECTOR_JOB_SCHEMA, a validated lower-case identifier. */
const table = (schema: string) => `${schema}.held_job`;

export async function createHeldJobTable(db: Queryable, schema: string): Promise<void> {
  await db.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${table(schema)} (
    stream text   NOT NULL,
    xid    bigint NOT NULL,
    queue  text   NOT NULL,
    key    text   NOT NULL,
    data   jsonb  NOT NULL,
    PRIMARY KEY (stream, xid, queue, key)
  )`);
}

/** Adds keys to a transaction's held set (a key already held takes the newer data, as in memory). */
export async function holdJobs(db: Queryable, schema: string, stream: string, xid: number, list: readonly JobRequest[]): Promise<void> {
  if (list.length === 0) return;
  await db.query(
    `INSERT INTO ${table(schema)} (stream, xid, queue, key, data)
     SELECT $1, $2, q, k, d::jsonb FROM unnest($3::text[], $4::text[], $5::text[]) AS t(q, k, d)
     ON CONFLICT (stream, xid, queue, key) DO UPDATE SET data = excluded.data`,
    [stream, xid, list.map((j) => j.queue), list.map((j) => j.key), list.map((j) => JSON.stringify(j.data))],
  );
}

/** Where a page of held keys ends: the next page starts after it. */
export interface HeldCursor { queue: string; key: string }

/** One page of a transaction's held keys, in (queue, key) order. */
export async function heldJobsPage(db: Queryable, schema: string, stream: string, xid: number, after: HeldCursor | null, limit: number): Promise<JobRequest[]> {
  const r = await db.query(
    `SELECT queue, key, data FROM ${table(schema)}
      WHERE stream = $1 AND xid = $2 AND ($3::text IS NULL OR (queue, key) > ($3, $4))
      ORDER BY queue, key LIMIT $5`,
    [stream, xid, after?.queue ?? null, after?.key ?? null, limit],
  );
  return r.rows.map((x) => ({ queue: x.queue, key: x.key, data: x.data }) as JobRequest);
}

/** A transaction's held keys are enqueued, or it rolled back. */
export async function dropHeldJobs(db: Queryable, schema: string, stream: string, xid: number): Promise<void> {
  await db.query(`DELETE FROM ${table(schema)} WHERE stream = $1 AND xid = $2`, [stream, xid]);
}

/** A new replication connection: every unfinished transaction will be sent again, whoever parked its keys. */
export async function dropAllHeldJobs(db: Queryable, schema: string): Promise<number> {
  return (await db.query(`DELETE FROM ${table(schema)}`)).rowCount ?? 0;
}

/** For `status`: large transactions in progress with keys parked, and how many (none before the table exists). */
export async function heldJobSummary(db: Queryable, schema: string): Promise<{ transactions: number; keys: number }> {
  if (!(await tableExists(db, table(schema)))) return { transactions: 0, keys: 0 };
  const r = await db.query(`SELECT count(DISTINCT xid)::int AS t, count(*)::int AS k FROM ${table(schema)}`);
  return { transactions: r.rows[0].t, keys: r.rows[0].k };
}
