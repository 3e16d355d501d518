// Trigger overhead on PMS writes: the same load on pms.appointment with the
// adapter's capture triggers enabled and disabled (ALTER TABLE ... DISABLE
// TRIGGER USER, which leaves foreign-key triggers alone). Installed for
// replication mode (no NOTIFY trigger on the outbox), then the slot is dropped
// and no connector runs: this is the cost a PMS user's write pays, nothing
// else. Single-row transactions are also measured with the outbox-poll mode's
// NOTIFY trigger on the outbox, for comparison.
//
// The machine is shared: modes alternate in short blocks (A B B A ...), so a
// neighbour's burst of load hits every mode alike, and ratios compare total
// times of the same work.
import type pg from 'pg';
import { installCaptureHelpers, notifyTriggerSql } from '../src/db/install.ts';
import { generateAppointments, startBenchDb } from './lib/env.ts';
import { benchAppointments, bulkUpdate, settle, smallTransactions, type AppointmentRange } from './lib/load.ts';
import { figure, type BenchOptions, type BenchResult } from './lib/result.ts';
import { median, round } from './lib/stats.ts';

type Mode = 'without' | 'with' | 'poll';
/** single-row modes: the trigger setting, and -prepared for named prepared statements */
type SmallMode = Mode | 'without-prepared' | 'with-prepared';
const SMALL_MODES: readonly SmallMode[] = ['without', 'with', 'poll', 'without-prepared', 'with-prepared'];

/** without: no capture; with: the adapter triggers (replication mode: WAL messages); poll: outbox-poll mode (outbox rows, NOTIFY trigger) */
async function setTriggers(db: Pick<pg.Pool, 'query'>, mode: Mode): Promise<void> {
  await db.query(`ALTER TABLE pms.appointment ${mode === 'without' ? 'DISABLE' : 'ENABLE'} TRIGGER USER`);
  await installCaptureHelpers(db, mode === 'poll');
  await db.query(notifyTriggerSql(mode === 'poll'));
}

/** The benchmark database without a slot: install() in replication mode, then the slot dropped (no WAL kept for it). */
export async function dropSlot(db: Pick<pg.Pool, 'query'>, slot: string): Promise<void> {
  await db.query(`SELECT pg_drop_replication_slot($1)`, [slot]);
}

/** `blocks` rounds over `modes`, every other round reversed: A B, B A, A B, ... */
export function alternating<M>(modes: readonly M[], blocks: number): M[] {
  const out: M[] = [];
  for (let b = 0; b < blocks; b++) out.push(...(b % 2 === 0 ? modes : [...modes].reverse()));
  return out;
}

export interface SmallBlocks { ms: number[]; tx: number[]; cpuMs: number[] }

/** Single-row transactions in alternating blocks, one setup per mode switch. */
export async function smallBlocks<M extends string>(
  url: string, range: AppointmentRange, modes: readonly M[], setup: (m: M) => Promise<void>,
  o: { blocks: number; perBlock: number; clients: number; prepared?: (m: M) => boolean },
): Promise<Record<M, SmallBlocks>> {
  const out = Object.fromEntries(modes.map((m) => [m, { ms: [], tx: [], cpuMs: [] }])) as unknown as Record<M, SmallBlocks>;
  let seed = 1;
  for (const mode of alternating(modes, o.blocks)) {
    await setup(mode);
    const r = await smallTransactions(url, range, { clients: o.clients, total: o.perBlock, seed: seed++, prepared: o.prepared?.(mode) ?? false });
    out[mode].ms.push(r.elapsedMs);
    out[mode].tx.push(r.transactions);
    out[mode].cpuMs.push(r.backendCpuMs);
  }
  return out;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const rates = (b: SmallBlocks) => b.ms.map((ms, i) => round(b.tx[i]! / (ms / 1000)));

export async function runTriggerOverhead(o: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const appointments = 200_000;
  const smallPerMode = o.long ? 40_000 : 20_000;
  const smallBlockCount = o.long ? 8 : 4;
  const bulkRunsPerMode = o.long ? 3 : 2;
  const clients = 4;
  const db = await startBenchDb({ appointments });
  try {
    await dropSlot(db.pool, db.config.CONNECTOR_SLOT_NAME);
    await db.pool.query(`ALTER TABLE pms.appointment SET (autovacuum_enabled = false)`);
    await db.pool.query(`ALTER TABLE healthengine.change_event SET (autovacuum_enabled = false)`);
    const range = await benchAppointments(db.pool);

    // warm-up, untimed: caches, plans, the first trigger calls
    for (const mode of ['with', 'without'] as Mode[]) {
      await setTriggers(db.pool, mode);
      await smallTransactions(db.url, range, { clients, total: 2_000, seed: 99 });
    }
    await bulkUpdate(db.pool, 0);

    // single-row transactions, alternating blocks
    await settle(db.pool, { truncateOutbox: true });
    const small = await smallBlocks(db.url, range, SMALL_MODES, (m) => setTriggers(db.pool, m.replace('-prepared', '') as Mode), {
      blocks: smallBlockCount, perBlock: smallPerMode / smallBlockCount, clients, prepared: (m) => m.endsWith('-prepared'),
    });
    for (const m of SMALL_MODES) o.log(`  single-row tx, ${m}: ${rates(small[m]).join(', ')} tx/s`);
    const cpuPerTx = (b: SmallBlocks) => sum(b.cpuMs) / sum(b.tx);

    // one bulk UPDATE statement over every generated appointment, A B B A, each after VACUUM + CHECKPOINT
    const bulk: Record<'without' | 'with', number[]> = { without: [], with: [] };
    const bulkCpu: Record<'without' | 'with', number[]> = { without: [], with: [] };
    let outboxRowsPerBulk = 0;
    for (const mode of alternating(['without', 'with'] as const, bulkRunsPerMode)) {
      await setTriggers(db.pool, mode);
      await settle(db.pool, { truncateOutbox: true });
      const r = await bulkUpdate(db.pool, bulk[mode].length % 2 ? -1 : 1);
      bulk[mode].push(r.elapsedMs);
      bulkCpu[mode].push(r.backendCpuMs);
      if (mode === 'with') outboxRowsPerBulk = Number((await db.pool.query(`SELECT count(*) FROM healthengine.change_event`)).rows[0].count);
      o.log(`  bulk UPDATE ${r.rows} rows, ${mode}: ${Math.round(r.rows / (r.elapsedMs / 1000))} rows/s`);
    }

    // bulk INSERT ... SELECT (informational: loading data; long mode), rows deleted again untimed
    const insert: Record<'without' | 'with', number[]> = { without: [], with: [] };
    for (const mode of o.long ? alternating(['without', 'with'] as const, 1) : []) {
      await setTriggers(db.pool, mode);
      await settle(db.pool, { truncateOutbox: true });
      insert[mode].push(await generateAppointments(db.pool, appointments));
      await setTriggers(db.pool, 'without');
      await db.pool.query(`DELETE FROM pms.appointment WHERE appointment_id > $1 AND notes = 'bench'`, [range.max]);
    }
    await setTriggers(db.pool, 'with');

    const bulkRates = (ms: number[]) => ms.map((x) => round(appointments / (x / 1000)));
    return {
      name: 'trigger-overhead',
      title: 'Trigger overhead on PMS writes',
      method: `pms.appointment with ${appointments.toLocaleString('en')} generated future appointments; adapter capture triggers enabled vs disabled (DISABLE TRIGGER USER); installed in replication mode (no NOTIFY trigger), the slot then dropped, no connector. Single-row: ${smallPerMode.toLocaleString('en')} UPDATE transactions per mode (autocommit, random rows, ${clients} clients; statements as node-pg sends them by default, and again as one named prepared statement) in ${smallBlockCount} alternating blocks. Bulk: ${bulkRunsPerMode} x one UPDATE of all ${appointments.toLocaleString('en')} rows per mode (starts_at moved by a minute), A B B A, each after VACUUM + CHECKPOINT. After an untimed warm-up. Ratio = total time with / total time without = throughput without / with.`,
      figures: [
        figure({ id: 'trigger.small.ratio', label: 'Trigger overhead, single-row transactions (without/with)', value: round(sum(small.with.ms) / sum(small.without.ms), 3), unit: 'x', target: { op: '<=', value: 1.15 }, note: 'statements as node-pg sends them by default (parsed each time, like an ORM or pgbench -M simple)' }),
        // no target: see docs/benchmarks.md (trigger-overhead): calling any row-level PL/pgSQL trigger
        // at all costs ~15 us of a ~130 us prepared UPDATE here, ~1.12x before it does anything
        figure({ id: 'trigger.small-prepared.ratio', label: 'Trigger overhead, single-row transactions with prepared statements (without/with), worst case', value: round(sum(small['with-prepared'].ms) / sum(small['without-prepared'].ms), 3), unit: 'x', note: `the cheapest possible transaction (one named prepared statement), where the trigger weighs most: ${round(median(rates(small['without-prepared'])))} tx/s without, ${round(median(rates(small['with-prepared'])))} tx/s with; a row-level PL/pgSQL trigger that does nothing costs ~1.12x of it here` }),
        figure({ id: 'trigger.bulk.ratio', label: 'Trigger overhead, bulk UPDATE statement (without/with)', value: round(sum(bulk.with) / sum(bulk.without), 3), unit: 'x', target: { op: '<=', value: 1.35 }, note: `${outboxRowsPerBulk} outbox rows per ${appointments.toLocaleString('en')}-row statement` }),
        figure({ id: 'trigger.small.cpu-ratio', label: 'Cross-check: PostgreSQL backend CPU per single-row transaction, with/without', value: round(cpuPerTx(small.with) / cpuPerTx(small.without), 3), unit: 'x', note: `CPU time of the ${clients} serving backends (/proc/<pid>/schedstat), far less disturbed by neighbours than wall time: ${round(cpuPerTx(small.without) * 1000, 1)} us per transaction without, ${round(cpuPerTx(small.with) * 1000, 1)} us with; prepared statements ${round(cpuPerTx(small['without-prepared']) * 1000, 1)} vs ${round(cpuPerTx(small['with-prepared']) * 1000, 1)} us (${round(cpuPerTx(small['with-prepared']) / cpuPerTx(small['without-prepared']), 3)}x)` }),
        figure({ id: 'trigger.bulk.cpu-ratio', label: 'Cross-check: PostgreSQL backend CPU per bulk UPDATE, with/without', value: round(sum(bulkCpu.with) / sum(bulkCpu.without), 3), unit: 'x', note: `${round(median(bulkCpu.without))} ms without, ${round(median(bulkCpu.with))} ms with (medians)` }),
        figure({ id: 'trigger.small.without', label: 'Single-row UPDATE transactions without triggers', value: median(rates(small.without)), unit: 'tx/s', runs: rates(small.without) }),
        figure({ id: 'trigger.small.with', label: 'Single-row UPDATE transactions with triggers', value: median(rates(small.with)), unit: 'tx/s', runs: rates(small.with) }),
        figure({ id: 'trigger.small.poll.ratio', label: 'Single-row transactions, outbox-poll mode (the capture helpers write outbox rows; NOTIFY trigger), without/with', value: round(sum(small.poll.ms) / sum(small.without.ms), 3), unit: 'x', note: `the notify_outbox trigger outbox-poll mode installs (pg_notify serialises commits): ${round(median(rates(small.poll)))} tx/s` }),
        figure({ id: 'trigger.bulk.without', label: 'Bulk UPDATE without triggers', value: median(bulkRates(bulk.without)), unit: 'rows/s', runs: bulkRates(bulk.without) }),
        figure({ id: 'trigger.bulk.with', label: 'Bulk UPDATE with triggers', value: median(bulkRates(bulk.with)), unit: 'rows/s', runs: bulkRates(bulk.with) }),
        ...(o.long ? [figure({ id: 'trigger.insert.ratio', label: 'Bulk INSERT ... SELECT (loading), without/with', value: round(sum(insert.with) / sum(insert.without), 3), unit: 'x', note: `${appointments.toLocaleString('en')} rows, one run each: without ${round(appointments / (median(insert.without) / 1000))} rows/s, with ${round(appointments / (median(insert.with) / 1000))} rows/s` })] : []),
      ],
      details: { appointments, clients, smallPerMode, smallBlockCount, small, bulkMs: bulk, bulkBackendCpuMs: bulkCpu, insertMs: insert, outboxRowsPerBulkUpdate: outboxRowsPerBulk },
      elapsedMs: performance.now() - started,
    };
  } finally {
    await db.close();
  }
}
