// PMS write loads: many single-row transactions from a few concurrent
// clients (like pgbench), and single bulk statements.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { lcg } from './stats.ts';

/**
 * CPU time a process has used, in ms (/proc/<pid>/schedstat, nanoseconds).
 * Server backends' CPU per change is a cross-check that a busy neighbour on
 * the shared machine disturbs far less than wall-clock time.
 */
export function processCpuMs(pid: number): number {
  return schedstat(pid, 0);
}

/**
 * Time a process was ready to run but waited for a core, in ms (schedstat's
 * second field): the writer competing with the walsender, the connector and
 * anything else inside this VM.
 */
export function processWaitMs(pid: number): number {
  return schedstat(pid, 1);
}

function schedstat(pid: number, field: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[field]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * The whole machine's CPU time so far, ms (/proc/stat, USER_HZ ticks): busy,
 * and stolen (a vCPU wanted by this VM but running another guest).
 */
export function machineCpuMs(): { busy: number; steal: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const tick = 10; // USER_HZ is 100 on Linux
    return { busy: (user + nice + system + irq + softirq) * tick, steal: steal * tick, total: (user + nice + system + idle + iowait + irq + softirq + steal) * tick };
  } catch {
    return { busy: NaN, steal: NaN, total: NaN };
  }
}

async function backendPid(c: pg.ClientBase): Promise<number> {
  return (await c.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid as number;
}

export interface AppointmentRange { min: number; max: number; count: number }

/** The generated appointments ('bench' rows): ids are contiguous. */
export async function benchAppointments(db: Pick<pg.Pool, 'query'>): Promise<AppointmentRange> {
  const r = await db.query(`SELECT min(appointment_id)::int AS min, max(appointment_id)::int AS max, count(*)::int AS n FROM pms.appointment WHERE notes = 'bench'`);
  return { min: r.rows[0].min, max: r.rows[0].max, count: r.rows[0].n };
}

export interface SmallTxResult {
  transactions: number;
  elapsedMs: number;
  txPerSecond: number;
  /** CPU time the serving PostgreSQL backends used */
  backendCpuMs: number;
}

/**
 * `total` single-row UPDATE transactions (autocommit) spread over `clients`
 * connections, each updating a pseudo-random generated appointment: a
 * reception desk moving an appointment by a minute. Statements are sent as
 * node-pg sends them by default (parsed and planned each time, like an ORM,
 * or pgbench's default simple protocol); `prepared` uses one named prepared
 * statement instead: the cheapest possible transaction, so the one on which a
 * trigger weighs most. Bounded by count and by `timeoutMs`.
 */
export async function smallTransactions(url: string, range: AppointmentRange, opts: { clients: number; total: number; seed: number; timeoutMs?: number; sql?: string; prepared?: boolean }): Promise<SmallTxResult> {
  const sql = opts.sql ?? `UPDATE pms.appointment SET starts_at = starts_at + interval '1 minute' WHERE appointment_id = $1`;
  const clients = await Promise.all(Array.from({ length: opts.clients }, async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'bench-load' });
    c.on('error', () => {});
    await c.connect();
    return c;
  }));
  const deadline = performance.now() + (opts.timeoutMs ?? 120_000);
  let done = 0;
  try {
    const pids = await Promise.all(clients.map(backendPid));
    const cpu0 = pids.map(processCpuMs);
    const t0 = performance.now();
    await Promise.all(clients.map(async (c, i) => {
      const rand = lcg(opts.seed * 31 + i);
      const share = Math.floor(opts.total / opts.clients) + (i < opts.total % opts.clients ? 1 : 0);
      for (let k = 0; k < share && performance.now() < deadline; k++) {
        const id = range.min + Math.floor(rand() * (range.max - range.min + 1));
        if (opts.prepared) await c.query({ name: 'bench-small-tx', text: sql, values: [id] });
        else await c.query(sql, [id]);
        done++;
      }
    }));
    const elapsedMs = performance.now() - t0;
    const backendCpuMs = pids.reduce((a, pid, i) => a + processCpuMs(pid) - cpu0[i]!, 0);
    return { transactions: done, elapsedMs, txPerSecond: done / (elapsedMs / 1000), backendCpuMs };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/** One UPDATE statement over every generated appointment: a bulk reschedule. */
export async function bulkUpdate(db: pg.Pool, minutes = 5): Promise<{ rows: number; elapsedMs: number; backendCpuMs: number; backendWaitMs: number }> {
  const c = await db.connect();
  try {
    const pid = await backendPid(c);
    const cpu0 = processCpuMs(pid);
    const wait0 = processWaitMs(pid);
    const t0 = performance.now();
    const r = await c.query(`UPDATE pms.appointment SET starts_at = starts_at + $1 * interval '1 minute' WHERE notes = 'bench'`, [minutes]);
    return { rows: r.rowCount ?? 0, elapsedMs: performance.now() - t0, backendCpuMs: processCpuMs(pid) - cpu0, backendWaitMs: processWaitMs(pid) - wait0 };
  } finally {
    c.release();
  }
}

/** Untimed housekeeping before a timed run, so every run starts alike. */
export async function settle(db: Pick<pg.Pool, 'query'>, opts: { truncateOutbox?: boolean } = {}): Promise<void> {
  if (opts.truncateOutbox) await db.query(`TRUNCATE healthengine.change_event`);
  await db.query(`VACUUM pms.appointment`);
  await db.query(`CHECKPOINT`);
}
