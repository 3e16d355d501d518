// Long chaos mode: the crash-safety scenario (test/integration/crash-safety.test.ts:
// the connector SIGKILLed at random points while PMS changes stream in; every
// change must still reach the Healthengine sandbox and the slot must advance)
// with many more rounds. Runs vitest in a child process group, bounded in time.
//
//   node bench/crash-soak.ts [--rounds 50] [--seed 42] [--timeout-minutes 20]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { figure, type BenchOptions, type BenchResult } from './lib/result.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface SoakOptions { rounds: number; seed: number; timeoutMinutes: number; log: (line: string) => void }

export async function crashSoak(o: SoakOptions): Promise<{ passed: boolean; timedOut: boolean; exitCode: number | null; elapsedMs: number; tail: string }> {
  const t0 = performance.now();
  const env = { ...process.env, PATH: `${ROOT}node_modules/.bin:${process.env.PATH ?? ''}`, CRASH_ROUNDS: String(o.rounds), CRASH_SEED: String(o.seed) };
  // its own process group, so a timeout ends vitest, its forks and the connectors they spawned
  const child = spawn(`${ROOT}node_modules/.bin/vitest`, ['run', 'test/integration/crash-safety.test.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let tail = '';
  const keep = (b: Buffer) => {
    const text = b.toString().replace(/\x1b\[[0-9;]*m/g, '');
    tail = (tail + text).slice(-6000);
    for (const line of text.split('\n')) if (/✓|✗|×|FAIL|Tests |Error/.test(line)) o.log(`  ${line.trim()}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let timedOut = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timer = setTimeout(() => {
    timedOut = true;
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
    setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000).unref();
  }, o.timeoutMinutes * 60_000);
  const exitCode = await exited;
  clearTimeout(timer);
  return { passed: exitCode === 0 && !timedOut, timedOut, exitCode, elapsedMs: performance.now() - t0, tail };
}

export async function runCrashSoak(o: BenchOptions & { rounds?: number; seed?: number }): Promise<BenchResult> {
  const rounds = o.rounds ?? 50;
  const seed = o.seed ?? 42;
  const r = await crashSoak({ rounds, seed, timeoutMinutes: 20, log: o.log });
  return {
    name: 'crash-soak',
    title: 'Crash soak (SIGKILL chaos, long mode)',
    method: `vitest run test/integration/crash-safety.test.ts with CRASH_ROUNDS=${rounds} CRASH_SEED=${seed}: the connector process is SIGKILLed ${rounds} times at random points while appointments are booked; afterwards every booking must be reflected in the sandbox's availability and the slot must have advanced past the last change. Bounded at 20 minutes.`,
    figures: [figure({ id: 'crash-soak.passed', label: `Crash soak, ${rounds} SIGKILL rounds (seed ${seed})`, value: r.passed ? 1 : 0, unit: 'passed', target: { op: '>=', value: 1 }, note: r.timedOut ? 'timed out' : `vitest exit code ${r.exitCode}` })],
    details: { rounds, seed, exitCode: r.exitCode, timedOut: r.timedOut, tail: r.passed ? undefined : r.tail },
    elapsedMs: r.elapsedMs,
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = arg('rounds', Number(process.env.CRASH_ROUNDS ?? 50));
  const seed = arg('seed', Number(process.env.CRASH_SEED ?? 42));
  const timeoutMinutes = arg('timeout-minutes', 20);
  console.log(`crash soak: ${rounds} rounds, seed ${seed}, at most ${timeoutMinutes} minutes`);
  const r = await crashSoak({ rounds, seed, timeoutMinutes, log: (l) => console.log(l) });
  console.log(r.passed ? `PASS in ${Math.round(r.elapsedMs / 1000)} s` : `FAIL (${r.timedOut ? 'timed out' : `exit code ${r.exitCode}`}) after ${Math.round(r.elapsedMs / 1000)} s\n${r.tail}`);
  process.exitCode = r.passed ? 0 : 1;
}
