// End-to-end throughput: PMS row changes through the adapter triggers, the
// outbox, the slot (pgoutput), the planner and pg-boss. A whole Connector runs
// in this process with workers off; a run is timed from the first write until
// the slot's confirmed_flush_lsn reaches the WAL insert position taken after
// the writes, i.e. every change planned and its jobs committed in pg-boss
// (the connector confirms a commit only after that).
import { Connector } from '../src/connector.ts';
import { silentLogger } from '../src/log/logger.ts';
import { currentLsn, startBenchDb, waitForSlot, type BenchDb } from './lib/env.ts';
import { benchAppointments, bulkUpdate, machineCpuMs, processCpuMs, settle, smallTransactions } from './lib/load.ts';
import { figure, type BenchOptions, type BenchResult } from './lib/result.ts';
import { median, round } from './lib/stats.ts';

/**
 * CPU used during a run, ms: the writing backend(s), the walsender, this
 * process (connector); the writer's wait for a core; and the machine's: all
 * busy time, and time stolen by other guests. What the machine spent beyond
 * the three named is the rest of PostgreSQL (pg-boss inserts, WAL writer)
 * plus anything else running in this VM.
 */
interface Cpu { backend: number; backendWait: number; walsender: number; connector: number; machineBusy: number; steal: number; capacity: number }
interface Run { changes: number; writeMs: number; drainMs: number; totalMs: number; rate: number; outboxRows: number; jobsRequested: number; jobsCreated: number; streamed: number; cpu: Cpu }

async function walsenderPid(db: BenchDb): Promise<number> {
  const r = await db.pool.query(`SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1`, [db.config.CONNECTOR_SLOT_NAME]);
  return r.rows[0]?.active_pid ?? 0;
}
const ownCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function drained(db: BenchDb, timeoutMs: number): Promise<number> {
  const ms = await waitForSlot(db.pool, db.config.CONNECTOR_SLOT_NAME, await currentLsn(db.pool), timeoutMs);
  if (ms === null) throw new Error(`the slot did not catch up within ${timeoutMs} ms`);
  return ms;
}

async function measure(db: BenchDb, c: Connector, write: () => Promise<{ changes: number; backendCpuMs: number; backendWaitMs?: number }>, timeoutMs: number): Promise<Run> {
  const before = { ...c.pipeline.stats };
  const sender = await walsenderPid(db);
  const sender0 = processCpuMs(sender);
  const own0 = ownCpuMs();
  const machine0 = machineCpuMs();
  const t0 = performance.now();
  const w = await write();
  const writeMs = performance.now() - t0;
  const drainMs = await drained(db, timeoutMs);
  const totalMs = performance.now() - t0;
  const s = c.pipeline.stats;
  const machine = machineCpuMs();
  return {
    changes: w.changes, writeMs, drainMs, totalMs, rate: w.changes / (totalMs / 1000),
    outboxRows: s.changes - before.changes, jobsRequested: s.jobsRequested - before.jobsRequested, jobsCreated: s.jobsCreated - before.jobsCreated,
    streamed: s.streamedTransactions - before.streamedTransactions,
    cpu: {
      backend: round(w.backendCpuMs), backendWait: round(w.backendWaitMs ?? NaN), walsender: round(processCpuMs(sender) - sender0), connector: round(ownCpuMs() - own0),
      machineBusy: machine.busy - machine0.busy, steal: machine.steal - machine0.steal, capacity: machine.total - machine0.total,
    },
  };
}
const perChangeUs = (ms: number, changes: number) => round((ms * 1000) / changes);
const pct = (part: number, whole: number) => round((100 * part) / whole, 1);
/** what the run's CPU went to, as shares of the machine's capacity over it */
const cpuShares = (r: Run) => `machine ${pct(r.cpu.machineBusy, r.cpu.capacity)}% busy (backend ${pct(r.cpu.backend, r.cpu.capacity)}%, walsender ${pct(r.cpu.walsender, r.cpu.capacity)}%, connector ${pct(r.cpu.connector, r.cpu.capacity)}%), stolen ${pct(r.cpu.steal, r.cpu.capacity)}%; writer waited for a core ${round(r.cpu.backendWait)} ms`;

export async function runThroughput(o: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const appointments = o.long ? 1_000_000 : 200_000;
  const bulkRuns = 3;
  const smallTotal = o.long ? 40_000 : 20_000;
  const clients = 4;
  const db = await startBenchDb({ appointments, config: { CONNECTOR_DEBOUNCE_SECONDS: 3 } });
  let c: Connector | null = null;
  try {
    await db.pool.query(`ALTER TABLE pms.appointment SET (autovacuum_enabled = false)`);
    const range = await benchAppointments(db.pool);
    c = new Connector({ config: db.config, logger: silentLogger, workers: false });
    await c.start();
    await drained(db, 30_000);

    // Untimed warm-up: the generated table is packed full (fillfactor 100),
    // so the first statement over it also moves every row to a new page and
    // grows the table; a PMS table that is written every day has that space.
    // The same warm-up precedes trigger-overhead's timed blocks.
    await settle(db.pool);
    await bulkUpdate(db.pool, 5);
    await drained(db, 300_000);

    const bulk: Run[] = [];
    for (let i = 0; i < bulkRuns; i++) {
      await settle(db.pool);
      const r = await measure(db, c, async () => { const u = await bulkUpdate(db.pool, i % 2 ? 5 : -5); return { changes: u.rows, backendCpuMs: u.backendCpuMs, backendWaitMs: u.backendWaitMs }; }, 300_000);
      bulk.push(r);
      o.log(`  bulk: ${r.changes} rows in ${Math.round(r.totalMs)} ms (write ${Math.round(r.writeMs)}, drain after write ${Math.round(r.drainMs)}) = ${Math.round(r.rate)} rows/s; ${r.outboxRows} changes, ${r.jobsCreated} jobs created, streamed ${r.streamed > 0 ? 'while written' : 'at commit'}; CPU us/change: backend ${perChangeUs(r.cpu.backend, r.changes)}, walsender ${perChangeUs(r.cpu.walsender, r.changes)}, connector ${perChangeUs(r.cpu.connector, r.changes)}; ${cpuShares(r)}`);
    }

    await settle(db.pool);
    const small = await measure(db, c, async () => { const t = await smallTransactions(db.url, range, { clients, total: smallTotal, seed: 7, timeoutMs: 300_000 }); return { changes: t.transactions, backendCpuMs: t.backendCpuMs }; }, 300_000);
    o.log(`  small: ${small.changes} tx in ${Math.round(small.totalMs)} ms (write ${Math.round(small.writeMs)}, drain after write ${Math.round(small.drainMs)}) = ${Math.round(small.rate)} tx/s; ${small.jobsCreated} jobs created`);

    // the ceiling: the same statement with the capture triggers off (nothing to stream)
    await db.pool.query(`ALTER TABLE pms.appointment DISABLE TRIGGER USER`);
    await settle(db.pool);
    const bare = await bulkUpdate(db.pool, 5);
    await db.pool.query(`ALTER TABLE pms.appointment ENABLE TRIGGER USER`);
    const bareRate = bare.rows / (bare.elapsedMs / 1000);
    o.log(`  bulk, triggers off (the PMS statement alone): ${Math.round(bareRate)} rows/s; backend CPU ${perChangeUs(bare.backendCpuMs, bare.rows)} us/row`);

    // capacity: a committed backlog read by a connector started afterwards
    await c.stop();
    c = null;
    await settle(db.pool);
    const backlog = (await bulkUpdate(db.pool, -5)).rows;
    c = new Connector({ config: db.config, logger: silentLogger, workers: false });
    const tCatch = performance.now();
    await c.start();
    await drained(db, 300_000);
    const catchUpRate = backlog / ((performance.now() - tCatch) / 1000);
    o.log(`  backlog: ${backlog} committed changes read by a connector started afterwards at ${Math.round(catchUpRate)} changes/s`);

    const bulkRates = bulk.map((r) => round(r.rate));
    return {
      name: 'throughput',
      title: 'End-to-end throughput (triggers -> outbox -> slot -> planner -> pg-boss)',
      method: `A Connector (workers off) streams from its own embedded PostgreSQL; ${appointments.toLocaleString('en')} generated future appointments across every diary of the 3 demo clinics, one enabled link covering them. A "change" is one PMS row change (an appointment row updated). Bulk: one UPDATE statement moving every generated appointment by 5 minutes (${bulkRuns} runs, median, after one untimed warm-up statement: the generated table is packed full, so the first UPDATE over it also grows it). Small: ${smallTotal.toLocaleString('en')} single-row UPDATE transactions from ${clients} concurrent clients. Timed from the first write until the slot's confirmed_flush_lsn reaches pg_current_wal_insert_lsn() taken after the writes: every change planned and its jobs committed in pg-boss.`,
      figures: [
        figure({ id: 'throughput.bulk', label: 'Bulk statement, end to end', value: median(bulkRates), unit: 'changes/s', target: { op: '>=', value: 50_000 }, runs: bulkRates, note: `${appointments.toLocaleString('en')} rows per statement; write ${round(median(bulk.map((r) => r.writeMs)))} ms, drain after the write ${round(median(bulk.map((r) => r.drainMs)))} ms (medians)` }),
        figure({ id: 'throughput.bulk.cpu', label: 'Bulk statement, CPU per change: backend + walsender + connector', value: round(median(bulk.map((r) => perChangeUs(r.cpu.backend + r.cpu.walsender + r.cpu.connector, r.changes)))), unit: 'us', runs: bulk.map((r) => perChangeUs(r.cpu.backend + r.cpu.walsender + r.cpu.connector, r.changes)), note: `medians: backend ${round(median(bulk.map((r) => perChangeUs(r.cpu.backend, r.changes))))}, walsender ${round(median(bulk.map((r) => perChangeUs(r.cpu.walsender, r.changes))))}, connector ${round(median(bulk.map((r) => perChangeUs(r.cpu.connector, r.changes))))} us; wall time is this over the 2 cores, so a busy neighbour moves it less than the rate` }),
        figure({ id: 'throughput.bulk.machine', label: 'Bulk statement, the machine during the run: stolen by other guests, and the writer\'s wait for a core', value: round(median(bulk.map((r) => pct(r.cpu.steal, r.cpu.capacity))), 1), unit: '% stolen', runs: bulk.map((r) => pct(r.cpu.steal, r.cpu.capacity)), note: `medians: machine ${round(median(bulk.map((r) => pct(r.cpu.machineBusy, r.cpu.capacity))), 1)}% busy, writer waited ${round(median(bulk.map((r) => r.cpu.backendWait)))} ms for a core (/proc/stat, /proc/<pid>/schedstat); the same instructions take longer per row when the host is busy, which these show` }),
        figure({ id: 'throughput.bulk.drain', label: 'Bulk statement, slot drained after the write committed', value: round(median(bulk.map((r) => r.drainMs))), unit: 'ms', runs: bulk.map((r) => round(r.drainMs)) }),
        figure({ id: 'throughput.bulk.ceiling', label: 'Bulk statement with the capture triggers off (the PMS statement alone: the end-to-end ceiling)', value: round(bareRate), unit: 'rows/s', note: 'one run; the end-to-end figure cannot exceed what the PMS writes' }),
        figure({ id: 'throughput.backlog', label: 'Committed backlog of one bulk statement, read by a connector started afterwards', value: round(catchUpRate), unit: 'changes/s', note: `${backlog.toLocaleString('en')} changes; timed from Connector.start() to the slot confirming the commit: the capacity of slot -> planner -> pg-boss, whatever the PMS write speed` }),
        figure({ id: 'throughput.small', label: 'Single-row transactions, end to end', value: round(small.rate), unit: 'changes/s', note: `${small.changes.toLocaleString('en')} transactions from ${clients} clients; writes alone ${round(small.changes / (small.writeMs / 1000))} tx/s, drain after the last write ${round(small.drainMs)} ms` }),
      ],
      details: { appointments, bulk, small, bareBulk: { rows: bare.rows, ms: round(bare.elapsedMs), backendCpuMs: round(bare.backendCpuMs), backendWaitMs: round(bare.backendWaitMs) }, backlog: { changes: backlog, rate: round(catchUpRate) } },
      elapsedMs: performance.now() - started,
    };
  } finally {
    await c?.stop().catch(() => {});
    await db.close();
  }
}
