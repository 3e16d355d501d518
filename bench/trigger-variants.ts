// Where the trigger time goes (diagnostic, not a target): the single-row and
// bulk UPDATE loads of trigger-overhead.ts against pms.appointment with the
// adapter's UPDATE trigger swapped for simpler capture designs, one at a time,
// in this benchmark's own throwaway database (sql/ is not touched). Each
// variant's ratio is against the same load with no user trigger at all.
import type pg from 'pg';
import { startBenchDb } from './lib/env.ts';
import { alternating, dropSlot, smallBlocks } from './trigger-overhead.ts';
import { benchAppointments, bulkUpdate, settle, smallTransactions } from './lib/load.ts';
import { figure, type BenchOptions, type BenchResult, type Figure } from './lib/result.ts';
import { round } from './lib/stats.ts';

interface Variant { id: string; label: string; sql: string | null }

const STMT = `AFTER UPDATE ON pms.appointment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT`;
const CHANGED = `(OLD.clinic_id, OLD.practitioner_id, OLD.room_id, OLD.starts_at, OLD.duration_minutes, OLD.status <> 'cancelled')
  IS DISTINCT FROM (NEW.clinic_id, NEW.practitioner_id, NEW.room_id, NEW.starts_at, NEW.duration_minutes, NEW.status <> 'cancelled')`;

const NOOP = `CREATE FUNCTION bench.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;`;

/** Each variant creates trigger bench_capture on pms.appointment (the adapter's triggers disabled), or changes the table. */
export const VARIANTS: Variant[] = [
  { id: 'adapter', label: 'the adapter trigger (sql/demo/adapter.sql, as installed)', sql: null },
  { id: 'row-noop', label: 'row-level PL/pgSQL, body RETURN NULL (the floor of any row-level trigger)', sql: `
    ${NOOP}
    CREATE TRIGGER bench_capture AFTER UPDATE ON pms.appointment FOR EACH ROW EXECUTE FUNCTION bench.noop();` },
  { id: 'no-trigger-replica-full', label: 'no trigger, pms.appointment REPLICA IDENTITY FULL (the WAL cost of publishing the PMS table itself with old values)', sql: `
    ALTER TABLE pms.appointment REPLICA IDENTITY FULL;` },
  { id: 'stmt-noop-no-transition', label: 'statement-level PL/pgSQL, no transition tables, body RETURN NULL', sql: `
    ${NOOP}
    CREATE TRIGGER bench_capture AFTER UPDATE ON pms.appointment FOR EACH STATEMENT EXECUTE FUNCTION bench.noop();` },
  { id: 'stmt-noop', label: 'statement-level with transition tables, body RETURN NULL', sql: `
    ${NOOP}
    CREATE TRIGGER bench_capture ${STMT} EXECUTE FUNCTION bench.noop();` },
  { id: 'stmt-count', label: 'statement-level with transition tables, one query (count(*) FROM old_rows)', sql: `
    CREATE FUNCTION bench.count_rows() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM old_rows; RETURN NULL; END $$;
    CREATE TRIGGER bench_capture ${STMT} EXECUTE FUNCTION bench.count_rows();` },
  { id: 'stmt-insert-keys', label: 'statement-level, one INSERT ... SELECT of distinct (diary, day) keys into the outbox', sql: `
    CREATE FUNCTION bench.insert_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO healthengine.change_event (kind, location_id, calendar_id, at_from, at_to)
      SELECT 'availability', n.clinic_id::text, healthengine.adapter_calendar_id(n.practitioner_id, n.room_id), min(n.starts_at), max(n.starts_at + n.duration_minutes * interval '1 minute')
      FROM new_rows n GROUP BY n.clinic_id, n.practitioner_id, n.room_id, (n.starts_at AT TIME ZONE INTERVAL '+10:00')::date;
      RETURN NULL; END $$;
    CREATE TRIGGER bench_capture ${STMT} EXECUTE FUNCTION bench.insert_keys();` },
  { id: 'stmt-insert-bare', label: 'as above, into a bare table (no primary key, defaults or checks)', sql: `
    CREATE TABLE bench.outbox_bare (kind text, location_id text, calendar_id text, at_from timestamptz, at_to timestamptz);
    CREATE FUNCTION bench.insert_bare() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO bench.outbox_bare (kind, location_id, calendar_id, at_from, at_to)
      SELECT 'availability', n.clinic_id::text, healthengine.adapter_calendar_id(n.practitioner_id, n.room_id), min(n.starts_at), max(n.starts_at + n.duration_minutes * interval '1 minute')
      FROM new_rows n GROUP BY n.clinic_id, n.practitioner_id, n.room_id, (n.starts_at AT TIME ZONE INTERVAL '+10:00')::date;
      RETURN NULL; END $$;
    CREATE TRIGGER bench_capture ${STMT} EXECUTE FUNCTION bench.insert_bare();` },
  { id: 'stmt-message-keys', label: 'statement-level, distinct keys as ONE transactional pg_logical_emit_message (no table write)', sql: `
    CREATE FUNCTION bench.message_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      PERFORM pg_logical_emit_message(true, 'healthengine.change', j::text)
      FROM (SELECT json_agg(json_build_array(k.clinic_id, k.calendar_id, k.at_from, k.at_to)) AS j
            FROM (SELECT n.clinic_id, healthengine.adapter_calendar_id(n.practitioner_id, n.room_id) AS calendar_id, min(n.starts_at) AS at_from, max(n.starts_at + n.duration_minutes * interval '1 minute') AS at_to
                  FROM new_rows n GROUP BY n.clinic_id, n.practitioner_id, n.room_id, (n.starts_at AT TIME ZONE INTERVAL '+10:00')::date) k) x
      WHERE j IS NOT NULL;
      RETURN NULL; END $$;
    CREATE TRIGGER bench_capture ${STMT} EXECUTE FUNCTION bench.message_keys();` },
  { id: 'row-insert', label: 'row-level, WHEN (diary/time/status changed), one outbox INSERT per row', sql: `
    CREATE FUNCTION bench.row_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO healthengine.change_event (kind, location_id, calendar_id, at_from, at_to)
      VALUES ('availability', NEW.clinic_id::text, healthengine.adapter_calendar_id(NEW.practitioner_id, NEW.room_id), least(OLD.starts_at, NEW.starts_at), greatest(OLD.starts_at, NEW.starts_at) + NEW.duration_minutes * interval '1 minute');
      RETURN NULL; END $$;
    CREATE TRIGGER bench_capture AFTER UPDATE ON pms.appointment FOR EACH ROW WHEN (${CHANGED}) EXECUTE FUNCTION bench.row_insert();` },
  { id: 'row-message', label: 'row-level, WHEN (diary/time/status changed), one transactional pg_logical_emit_message per row', sql: `
    CREATE FUNCTION bench.row_message() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      PERFORM pg_logical_emit_message(true, 'healthengine.change', json_build_array(NEW.clinic_id, healthengine.adapter_calendar_id(NEW.practitioner_id, NEW.room_id), least(OLD.starts_at, NEW.starts_at), greatest(OLD.starts_at, NEW.starts_at) + NEW.duration_minutes * interval '1 minute')::text);
      RETURN NULL; END $$;
    CREATE TRIGGER bench_capture AFTER UPDATE ON pms.appointment FOR EACH ROW WHEN (${CHANGED}) EXECUTE FUNCTION bench.row_message();` },
];

async function useVariant(db: Pick<pg.Pool, 'query'>, v: Variant | 'none'): Promise<void> {
  await db.query(`DROP TRIGGER IF EXISTS bench_capture ON pms.appointment`);
  await db.query(`ALTER TABLE pms.appointment REPLICA IDENTITY DEFAULT`);
  await db.query(`DROP SCHEMA IF EXISTS bench CASCADE`);
  await db.query(`CREATE SCHEMA bench`);
  await db.query(`ALTER TABLE pms.appointment DISABLE TRIGGER USER`);
  if (v === 'none') return;
  if (v.sql === null) {
    await db.query(`ALTER TABLE pms.appointment ENABLE TRIGGER healthengine_capture`);
    return;
  }
  await db.query(v.sql);
}

export async function runTriggerVariants(o: BenchOptions & { variants?: string[] }): Promise<BenchResult> {
  const started = performance.now();
  const appointments = 200_000;
  const smallPerMode = 10_000;
  const blocks = 4;
  const clients = 4;
  const db = await startBenchDb({ appointments });
  try {
    await dropSlot(db.pool, db.config.CONNECTOR_SLOT_NAME); // replication mode: no NOTIFY trigger on the outbox
    await db.pool.query(`ALTER TABLE pms.appointment SET (autovacuum_enabled = false)`);
    await db.pool.query(`ALTER TABLE healthengine.change_event SET (autovacuum_enabled = false)`);
    const range = await benchAppointments(db.pool);
    await smallTransactions(db.url, range, { clients, total: 2_000, seed: 99 }); // warm-up
    const rows: { v: Variant; small: number; bulk: number; smallCpu: number; bulkCpu: number; addedUs: number; baseUs: number; prepared: number; preparedCpu: number; preparedAddedUs: number; preparedBaseUs: number }[] = [];
    for (const v of VARIANTS.filter((x) => !o.variants || o.variants.includes(x.id))) {
      await settle(db.pool, { truncateOutbox: true });
      // single-row: alternating blocks of no trigger and the variant (each switch re-creates it)
      const small = await smallBlocks(db.url, range, ['none', 'variant'] as const, (m) => useVariant(db.pool, m === 'none' ? 'none' : v), {
        blocks, perBlock: smallPerMode / blocks, clients,
      });
      // the same with one named prepared statement: the cheapest transaction, where a trigger weighs most
      const prepared = await smallBlocks(db.url, range, ['none', 'variant'] as const, (m) => useVariant(db.pool, m === 'none' ? 'none' : v), {
        blocks, perBlock: smallPerMode / blocks, clients, prepared: () => true,
      });
      // bulk: none, variant, variant, none
      const bulk: Record<'none' | 'variant', number> = { none: 0, variant: 0 };
      const bulkCpu: Record<'none' | 'variant', number> = { none: 0, variant: 0 };
      let k = 0;
      for (const m of alternating(['none', 'variant'] as const, 2)) {
        await useVariant(db.pool, m === 'none' ? 'none' : v);
        await settle(db.pool, { truncateOutbox: true });
        const b = await bulkUpdate(db.pool, k++ % 2 ? -1 : 1);
        bulk[m] += b.elapsedMs;
        bulkCpu[m] += b.backendCpuMs;
      }
      const perTx = (x: { cpuMs: number[]; tx: number[] }) => sum(x.cpuMs) / sum(x.tx);
      const r = {
        v, small: sum(small.variant.ms) / sum(small.none.ms), bulk: bulk.variant / bulk.none,
        prepared: sum(prepared.variant.ms) / sum(prepared.none.ms), preparedCpu: perTx(prepared.variant) / perTx(prepared.none),
        preparedAddedUs: (perTx(prepared.variant) - perTx(prepared.none)) * 1000, preparedBaseUs: perTx(prepared.none) * 1000,
        smallCpu: perTx(small.variant) / perTx(small.none), bulkCpu: bulkCpu.variant / bulkCpu.none,
        addedUs: (perTx(small.variant) - perTx(small.none)) * 1000, baseUs: perTx(small.none) * 1000,
      };
      rows.push(r);
      o.log(`  ${v.id}: single-row ${round(r.small, 3)}x (backend CPU ${round(r.smallCpu, 3)}x, +${round(r.addedUs)} us/tx), prepared ${round(r.prepared, 3)}x (backend CPU ${round(r.preparedCpu, 3)}x, +${round(r.preparedAddedUs)} us/tx), bulk ${round(r.bulk, 3)}x (backend CPU ${round(r.bulkCpu, 3)}x)`);
    }
    await useVariant(db.pool, VARIANTS[0]!);
    const figures: Figure[] = rows.flatMap((r) => [
      figure({ id: `variant.${r.v.id}.small`, label: `${r.v.label}: single-row transactions`, value: round(r.small, 3), unit: 'x', note: `backend CPU per transaction ${round(r.smallCpu, 3)}x: +${round(r.addedUs)} us on ${round(r.baseUs)} us` }),
      figure({ id: `variant.${r.v.id}.small-prepared`, label: `${r.v.label}: single-row transactions, prepared statement`, value: round(r.prepared, 3), unit: 'x', note: `backend CPU per transaction ${round(r.preparedCpu, 3)}x: +${round(r.preparedAddedUs)} us on ${round(r.preparedBaseUs)} us` }),
      figure({ id: `variant.${r.v.id}.bulk`, label: `${r.v.label}: bulk UPDATE`, value: round(r.bulk, 3), unit: 'x', note: `backend CPU ${round(r.bulkCpu, 3)}x` }),
    ]);
    return {
      name: 'trigger-variants',
      title: 'Where the trigger time goes (capture designs compared)',
      method: `Diagnostic, no targets. The loads of the trigger-overhead benchmark with pms.appointment's UPDATE capture trigger replaced by each design in turn, in a throwaway database installed for replication mode (no NOTIFY trigger). Single-row: ${smallPerMode.toLocaleString('en')} UPDATE transactions per side from ${clients} clients in ${blocks} alternating blocks, as node-pg sends them by default and again as one named prepared statement; bulk: one UPDATE of ${appointments.toLocaleString('en')} rows, none / variant / variant / none. Ratio = time with the variant / time with no user trigger; the notes give the same ratio of PostgreSQL backend CPU time (/proc/<pid>/schedstat), which a busy neighbour disturbs far less. Few runs on a shared machine: read the differences between designs, not the third digit.`,
      figures,
      details: { appointments, smallPerMode, blocks, clients, variants: rows.map((r) => ({ id: r.v.id, small: round(r.small, 3), smallPrepared: round(r.prepared, 3), preparedBackendCpu: round(r.preparedCpu, 3), preparedAddedBackendUsPerTx: round(r.preparedAddedUs, 1), bulk: round(r.bulk, 3), smallBackendCpu: round(r.smallCpu, 3), addedBackendUsPerTx: round(r.addedUs, 1), baseBackendUsPerTx: round(r.baseUs, 1), bulkBackendCpu: round(r.bulkCpu, 3) })) },
      elapsedMs: performance.now() - started,
    };
  } finally {
    await db.close();
  }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
