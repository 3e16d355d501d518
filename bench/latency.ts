// Commit -> job enqueued latency. The connector runs as its own process
// (`run --no-workers`, CONNECTOR_DEBOUNCE_SECONDS=0, so no start delay to
// subtract); this process makes single-row changes at a steady rate and polls
// pg-boss's job table on another connection for the job each change implies.
// A change is a reception desk cancelling one online (source 'healthengine')
// appointment, which the connector reports to Healthengine: its own key
// (appointment-outbound `appt:<id>:cancelled`) so every change creates exactly
// one new job row, enqueued in the same pg-boss transaction as the
// availability jobs of that diary and day.
//
// Measured twice: with the PMS session at synchronous_commit = on (PostgreSQL's
// default, what a production PMS runs: a commit's WAL is flushed, so the
// walsender can decode it at once) and at the embedded test server's
// synchronous_commit = off, where a commit's WAL waits for the WAL writer
// (wal_writer_delay 200 ms, up to three rounds) before the slot can see it.
import pg from 'pg';
import { sleep, startBenchDb } from './lib/env.ts';
import { spawnConnectorChild, type ConnectorChild } from './lib/connector-child.ts';
import { benchAppointments } from './lib/load.ts';
import { figure, type BenchOptions, type BenchResult, type Figure } from './lib/result.ts';
import { percentile, round } from './lib/stats.ts';
import { waitForStreaming } from './lib/wait.ts';

interface Phase { syncCommit: 'on' | 'off'; latencies: number[]; missing: number }

export async function runLatency(o: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const changes = o.long ? 2_000 : 500;
  const ratePerSecond = 50;
  const warmup = 20;
  const pollMs = 5;
  const phases: Array<'on' | 'off'> = ['on', 'off'];
  const db = await startBenchDb({ appointments: (changes + warmup) * phases.length + 1_000, source: 'healthengine', config: { CONNECTOR_DEBOUNCE_SECONDS: 0 } });
  let child: ConnectorChild | null = null;
  const writer = new pg.Client({ connectionString: db.url, application_name: 'bench-writer' });
  const poller = new pg.Client({ connectionString: db.url, application_name: 'bench-poller' });
  writer.on('error', () => {});
  poller.on('error', () => {});
  try {
    const range = await benchAppointments(db.pool);
    child = spawnConnectorChild(db.config);
    await waitForStreaming(db, child);
    await writer.connect();
    await poller.connect();
    const schema = db.config.CONNECTOR_JOB_SCHEMA;
    let nextId = range.min;

    const measurePhase = async (syncCommit: 'on' | 'off'): Promise<Phase> => {
      await writer.query(`SET synchronous_commit = ${syncCommit}`);
      const committedAt = new Map<string, number>();
      const seenAt = new Map<string, number>();
      const pending = new Set<string>();
      let writing = true;
      const cancel = async (id: number) => {
        const key = `appt:${id}:cancelled`;
        pending.add(key);
        await writer.query({ name: 'cancel', text: `UPDATE pms.appointment SET status = 'cancelled', cancelled_at = now() WHERE appointment_id = $1`, values: [id] });
        committedAt.set(key, performance.now());
        return key;
      };
      const poll = async (deadline: number) => {
        while ((writing || pending.size > 0) && performance.now() < deadline) {
          if (pending.size > 0) {
            const r = await poller.query({
              name: 'poll',
              text: `SELECT singleton_key FROM ${schema}.job WHERE name = 'appointment-outbound' AND singleton_key = ANY($1::text[])`,
              values: [[...pending]],
            });
            const now = performance.now();
            for (const row of r.rows) { seenAt.set(row.singleton_key, now); pending.delete(row.singleton_key); }
          }
          await sleep(pollMs);
        }
      };
      const polling = poll(performance.now() + (changes / ratePerSecond) * 1000 + 60_000);
      // warm-up (untimed)
      for (let i = 0; i < warmup; i++) { await cancel(nextId++); await sleep(1000 / ratePerSecond); }
      const warmDeadline = performance.now() + 10_000;
      while (pending.size > 0 && performance.now() < warmDeadline) await sleep(10);
      const warmKeys = new Set(committedAt.keys());
      // steady rate, open loop: the i-th change is due at t0 + i / rate
      const t0 = performance.now();
      for (let i = 0; i < changes; i++) {
        const wait = t0 + (i * 1000) / ratePerSecond - performance.now();
        if (wait > 0) await sleep(wait);
        await cancel(nextId++);
      }
      writing = false;
      await polling;
      const latencies: number[] = [];
      let missing = 0;
      for (const [key, c] of committedAt) {
        if (warmKeys.has(key)) continue;
        const s = seenAt.get(key);
        if (s === undefined) missing++;
        else latencies.push(Math.max(0, s - c));
      }
      o.log(`  synchronous_commit=${syncCommit}: ${latencies.length} changes at ${ratePerSecond}/s: p50 ${round(percentile(latencies, 50), 1)} ms, p99 ${round(percentile(latencies, 99), 1)} ms, max ${round(Math.max(...latencies), 1)} ms${missing ? `, ${missing} never seen` : ''}`);
      return { syncCommit, latencies, missing };
    };

    const results: Phase[] = [];
    for (const p of phases) results.push(await measurePhase(p));

    const figures: Figure[] = [];
    for (const r of results) {
      const main = r.syncCommit === 'on';
      const tag = main ? '' : ' (PMS session synchronous_commit=off)';
      const id = main ? 'latency' : 'latency.async-commit';
      figures.push(
        figure({ id: `${id}.p50`, label: `Commit -> job enqueued, p50${tag}`, value: round(percentile(r.latencies, 50), 1), unit: 'ms' }),
        figure({ id: `${id}.p99`, label: `Commit -> job enqueued, p99${tag}`, value: round(percentile(r.latencies, 99), 1), unit: 'ms', ...(main ? { target: { op: '<=' as const, value: 250 } } : {}), note: r.missing ? `${r.missing} changes never seen` : undefined }),
      );
    }
    return {
      name: 'latency',
      title: 'Commit -> job enqueued latency',
      method: `The connector runs as its own process (bin/he-connector run --no-workers, as deployed, CONNECTOR_DEBOUNCE_SECONDS=0). ${changes} single-row transactions at a steady ${ratePerSecond}/s (after ${warmup} untimed), each cancelling a different future online booking (source 'healthengine': the connector reports the cancellation, job key appt:<id>:cancelled); latency = when a poll (every ${pollMs} ms, separate connection) first sees that change's job row in ${schema}.job (by singleton_key) minus when the client's COMMIT returned (includes up to one poll interval). The target applies to the PMS session at synchronous_commit=on (PostgreSQL's default); the run at the embedded server's synchronous_commit=off is shown for comparison: there the slot cannot decode a commit before the WAL writer flushes it.`,
      figures,
      details: Object.fromEntries(results.map((r) => [`synchronous_commit_${r.syncCommit}`, {
        seen: r.latencies.length, missing: r.missing,
        p50: round(percentile(r.latencies, 50), 1), p90: round(percentile(r.latencies, 90), 1),
        p99: round(percentile(r.latencies, 99), 1), max: round(Math.max(...r.latencies), 1),
      }])),
      elapsedMs: performance.now() - started,
    };
  } finally {
    await writer.end().catch(() => {});
    await poller.end().catch(() => {});
    await child?.stop();
    await db.close();
  }
}
