// Connector memory during a bulk update, and slot lag once it has drained.
// The connector runs as its own process (bin/he-connector run --no-workers:
// the stream and planner, the part a bulk change loads) with the default
// debounce and heartbeat; its VmRSS / VmHWM are sampled from /proc every
// 100 ms while one UPDATE statement moves every generated appointment.
// Then one statement cancels them all: they are online bookings, so each is
// a job key of its own (appt:<id>:cancelled), the key set the connector may
// not hold in memory while the transaction is in progress.
import { currentLsn, sleep, startBenchDb, waitForSlot } from './lib/env.ts';
import { readMemory, sampleMemory, spawnConnectorChild, type ConnectorChild } from './lib/connector-child.ts';
import { bulkUpdate, settle } from './lib/load.ts';
import { figure, type BenchOptions, type BenchResult } from './lib/result.ts';
import { round } from './lib/stats.ts';
import { waitForStreaming } from './lib/wait.ts';

export async function runMemory(o: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const rows = o.long ? 1_000_000 : 200_000;
  const db = await startBenchDb({ appointments: rows, source: 'healthengine', config: { CONNECTOR_DEBOUNCE_SECONDS: 3, CONNECTOR_HEARTBEAT_SECONDS: 30 } });
  let child: ConnectorChild | null = null;
  try {
    await db.pool.query(`ALTER TABLE pms.appointment SET (autovacuum_enabled = false)`);
    child = spawnConnectorChild(db.config);
    await waitForStreaming(db, child);
    await sleep(1000);
    const baseline = readMemory(child.pid);
    const walsender = (await db.pool.query(`SELECT pid FROM pg_stat_replication WHERE application_name <> 'bench' LIMIT 1`)).rows[0]?.pid as number | undefined;
    await settle(db.pool);
    const sampler = sampleMemory(child.pid, 100);
    const walsenderSampler = walsender ? sampleMemory(walsender, 100) : null;
    const t0 = performance.now();
    const w = await bulkUpdate(db.pool, 5);
    const target = await currentLsn(db.pool);
    const drainMs = await waitForSlot(db.pool, db.config.CONNECTOR_SLOT_NAME, target, 600_000);
    const totalMs = performance.now() - t0;
    if (drainMs === null) throw new Error(`the slot did not catch up within 10 minutes: ${child.output()}`);
    await sleep(2000);
    const samples = sampler.stop();
    const wsSamples = walsenderSampler?.stop() ?? [];
    const lag = (await db.pool.query(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::float8 AS lag_bytes,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 AS retained_bytes
       FROM pg_replication_slots WHERE slot_name = $1`, [db.config.CONNECTOR_SLOT_NAME])).rows[0];
    // what is left is WAL the connector wrote itself after its last
    // confirmation (its pg-boss jobs, outbox pruning): the next heartbeat
    // message confirms it; emit one now rather than wait for the 30 s timer
    await waitForSlot(db.pool, db.config.CONNECTOR_SLOT_NAME, await currentLsn(db.pool), 30_000);
    // confirmed_flush_lsn shows the acknowledged position + 1: clamp the -1 of a fully confirmed slot
    const lagAfterHeartbeat = Math.max(0, Number((await db.pool.query(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::float8 AS b FROM pg_replication_slots WHERE slot_name = $1`,
      [db.config.CONNECTOR_SLOT_NAME])).rows[0].b));

    const spill = (await db.pool.query(`SELECT spill_txns::int, spill_bytes::float8, total_bytes::float8 FROM pg_stat_replication_slots WHERE slot_name = $1`, [db.config.CONNECTOR_SLOT_NAME])).rows[0];
    const peakRssMb = Math.max(...samples.map((s) => s.rssKb)) / 1024;
    const hwmMb = Math.max(...samples.map((s) => s.hwmKb)) / 1024;
    const wsPeakMb = wsSamples.length ? Math.max(...wsSamples.map((s) => s.hwmKb)) / 1024 : NaN;
    o.log(`  ${w.rows} rows: write ${Math.round(w.elapsedMs)} ms, drained ${Math.round(drainMs)} ms later; connector RSS baseline ${round((baseline?.rssKb ?? NaN) / 1024, 1)} MB, peak ${round(peakRssMb, 1)} MB (VmHWM ${round(hwmMb, 1)} MB); lag ${lag.lag_bytes} bytes`);

    // every online booking cancelled in one statement: one distinct key per row
    const cancelSampler = sampleMemory(child.pid, 100);
    const c0 = performance.now();
    const cancelled = (await db.pool.query(`UPDATE pms.appointment SET status = 'cancelled' WHERE notes = 'bench' AND status = 'booked'`)).rowCount ?? 0;
    const cancelWriteMs = performance.now() - c0;
    const cancelDrainMs = await waitForSlot(db.pool, db.config.CONNECTOR_SLOT_NAME, await currentLsn(db.pool), 900_000);
    if (cancelDrainMs === null) throw new Error(`the slot did not catch up with the bulk cancel within 15 minutes: ${child.output()}`);
    await sleep(1000);
    const cancelSamples = cancelSampler.stop();
    const cancelPeakMb = Math.max(...cancelSamples.map((s) => s.rssKb)) / 1024;
    const outbound = (await db.pool.query(`SELECT count(*)::int AS n FROM ${db.config.CONNECTOR_JOB_SCHEMA}.job WHERE name = 'appointment-outbound'`)).rows[0].n as number;
    o.log(`  bulk cancel of ${cancelled} online bookings: write ${Math.round(cancelWriteMs)} ms, drained ${Math.round(cancelDrainMs)} ms later; connector peak RSS ${round(cancelPeakMb, 1)} MB; ${outbound} outbound jobs enqueued`);

    return {
      name: 'memory',
      title: 'Connector memory during a bulk update; slot lag after it drains',
      method: `The connector runs as its own process (bin/he-connector run --no-workers, as deployed: Node's --max-old-space-size=512 included; default debounce 3 s and heartbeat 30 s); ${rows.toLocaleString('en')} generated future appointments, online bookings (source 'healthengine'); one UPDATE statement moves all of them by 5 minutes, then another cancels all of them. VmRSS and VmHWM read from /proc/<pid>/status every 100 ms from before the write until 2 s after the slot drained (confirmed_flush_lsn past the WAL insert position after the write). Slot lag = pg_current_wal_lsn() - confirmed_flush_lsn 2 s after draining, and again after one heartbeat message.`,
      figures: [
        figure({ id: 'memory.peak', label: `Connector peak RSS during a ${rows.toLocaleString('en')}-row bulk update`, value: round(Math.max(peakRssMb, hwmMb), 1), unit: 'MB', target: { op: '<=', value: 250 }, note: `baseline ${round((baseline?.rssKb ?? NaN) / 1024, 1)} MB before the write; VmHWM ${round(hwmMb, 1)} MB` }),
        figure({ id: 'memory.slot-lag', label: 'Slot lag after draining', value: Number(lag.lag_bytes), unit: 'bytes', note: `2 s after draining (drained ${round(drainMs)} ms after the statement committed): WAL the connector wrote itself since its last confirmation (jobs, pruning), confirmed at the next heartbeat; ${lagAfterHeartbeat} bytes after one heartbeat message. WAL retained by the slot (restart_lsn, which moves on at the next running-transactions record, every 15 s) ${round(Number(lag.retained_bytes) / 1048576, 1)} MB` }),
        figure({ id: 'memory.end-to-end', label: `Bulk ${rows.toLocaleString('en')}-row update, end to end (connector process)`, value: round(w.rows / (totalMs / 1000)), unit: 'changes/s', note: `write ${round(w.elapsedMs)} ms + drain ${round(drainMs)} ms` }),
        figure({ id: 'memory.bulk-cancel-peak', label: `Connector peak RSS while one statement cancels ${cancelled.toLocaleString('en')} online bookings (a distinct job key each)`, value: round(cancelPeakMb, 1), unit: 'MB', target: { op: '<=', value: 250 }, note: `VmRSS sampled every 100 ms from the statement's start until 1 s after the slot drained; keys past 50,000 parked in held_job while the transaction was open; ${outbound.toLocaleString('en')} appointment-outbound jobs enqueued at its commit (expected ${cancelled.toLocaleString('en')}); write ${round(cancelWriteMs)} ms, drained ${round(cancelDrainMs)} ms after` }),
        figure({ id: 'memory.walsender-peak', label: 'Walsender (PostgreSQL) peak RSS', value: round(wsPeakMb, 1), unit: 'MB', note: `decoding spilled ${spill?.spill_txns ?? '?'} transactions, ${round((spill?.spill_bytes ?? NaN) / 1048576, 1)} MB, to disk (logical_decoding_work_mem)` }),
      ],
      details: {
        rows, writeMs: round(w.elapsedMs), drainMs: round(drainMs), cancel: { rows: cancelled, writeMs: round(cancelWriteMs), drainMs: round(cancelDrainMs), peakRssMb: round(cancelPeakMb, 1), outboundJobs: outbound, rssMbTimeline: cancelSamples.filter((_, i) => i % 5 === 0).map((s) => [s.atMs, round(s.rssKb / 1024, 1)]) }, baselineKb: baseline, lag, lagAfterHeartbeat, spill, walsenderPeakMb: round(wsPeakMb, 1),
        rssMbTimeline: samples.filter((_, i) => i % 5 === 0).map((s) => [s.atMs, round(s.rssKb / 1024, 1)]),
      },
      elapsedMs: performance.now() - started,
    };
  } finally {
    await child?.stop();
    await db.close();
  }
}
