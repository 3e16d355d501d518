// Runs the benchmarks and writes bench/results/latest.json and latest.md
// (plus quick.* or long.*, so the last run of each mode is kept).
//
//   npm run bench                      quick mode (each benchmark well under a minute)
//   npm run bench -- --long            bigger sizes (the 1,000,000-row update), the
//                                      trigger-variants diagnostic and the crash soak
//   npm run bench -- --only latency,memory
//   npm run bench -- --soak            quick mode plus the crash soak (50 SIGKILL rounds)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCrashSoak } from './crash-soak.ts';
import { runLatency } from './latency.ts';
import { closeAll, lastServerVersion } from './lib/env.ts';
import { environment, markdown } from './lib/report.ts';
import type { BenchOptions, BenchResult } from './lib/result.ts';
import { runMemory } from './memory.ts';
import { runThroughput } from './throughput.ts';
import { runTriggerInstructions } from './trigger-instructions.ts';
import { runTriggerOverhead } from './trigger-overhead.ts';
import { runTriggerVariants } from './trigger-variants.ts';

const BENCHES: Record<string, { title: string; run: (o: BenchOptions) => Promise<BenchResult>; default: boolean }> = {
  'trigger-overhead': { title: 'Trigger overhead on PMS writes', run: runTriggerOverhead, default: true },
  'trigger-instructions': { title: 'Trigger cost in instructions (callgrind)', run: runTriggerInstructions, default: true },
  throughput: { title: 'End-to-end throughput', run: runThroughput, default: true },
  latency: { title: 'Commit -> job enqueued latency', run: runLatency, default: true },
  memory: { title: 'Connector memory and slot lag', run: runMemory, default: true },
  'trigger-variants': { title: 'Where the trigger time goes (diagnostic)', run: runTriggerVariants, default: false },
  'crash-soak': { title: 'Crash soak', run: runCrashSoak, default: false },
};

const argv = process.argv.slice(2);
const long = argv.includes('--long');
const onlyIdx = argv.indexOf('--only');
const only = onlyIdx >= 0 ? (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean) : null;
for (const name of only ?? []) if (!BENCHES[name]) { console.error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}`); process.exit(2); }
// --long adds the trigger-variants diagnostic and the crash soak; --soak adds the crash soak to quick mode
const names = only ?? Object.keys(BENCHES).filter((n) => BENCHES[n]!.default || (long && !BENCHES[n]!.default) || (n === 'crash-soak' && argv.includes('--soak')));
const mode = long ? 'long' : 'quick';
// a benchmark that overruns this is abandoned (its server stopped) and reported as an error
const budgetMs = (name: string) => (name === 'crash-soak' ? 25 : long ? 12 : 4) * 60_000;

const stopAll = (signal: string) => {
  console.error(`\n${signal}: stopping benchmark servers`);
  void closeAll().finally(() => process.exit(130));
};
process.once('SIGINT', () => stopAll('SIGINT'));
process.once('SIGTERM', () => stopAll('SIGTERM'));

const env = environment(mode);
const results: BenchResult[] = [];
console.log(`benchmarks (${mode}): ${names.join(', ')}`);
for (const name of names) {
  const b = BENCHES[name]!;
  console.log(`\n== ${b.title}`);
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const stamp = { ranAt: new Date().toISOString(), commit: env.source.commit, uncommittedChanges: env.source.uncommittedChanges.length };
    const r = await Promise.race([
      b.run({ long, log: (l) => console.log(l) }),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`over its ${budgetMs(name) / 60_000}-minute budget`)), budgetMs(name)); }),
    ]);
    results.push({ ...r, ...stamp });
    for (const f of r.figures) if (f.verdict !== 'INFO') console.log(`  ${f.verdict}  ${f.label}: ${f.value} ${f.unit} (target ${f.target!.op} ${f.target!.value})`);
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    console.error(`  ERROR: ${message}`);
    results.push({ name, title: b.title, method: '', figures: [], details: {}, elapsedMs: performance.now() - t0, error: message, ranAt: new Date(Date.now() - (performance.now() - t0)).toISOString(), commit: env.source.commit });
    await closeAll();
  } finally {
    clearTimeout(timer);
  }
}
await closeAll();
env.versions.postgresql = lastServerVersion;
env.machine.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
// a partial run (--only) replaces its benchmarks' results and keeps the others'
// from the last run of the same mode, each stamped with when and on which code it ran
const ORDER = Object.keys(BENCHES);
function merged(base: string): BenchResult[] {
  let previous: BenchResult[] = [];
  try {
    if (existsSync(`${dir}${base}.json`)) {
      const old = JSON.parse(readFileSync(`${dir}${base}.json`, 'utf8')) as { environment?: { mode?: string }; results?: BenchResult[] };
      if (old.environment?.mode === mode) previous = old.results ?? [];
    }
  } catch { /* unreadable: start afresh */ }
  const byName = new Map(previous.map((r) => [r.name, r]));
  for (const r of results) byName.set(r.name, r);
  return [...byName.values()].sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
}
for (const base of ['latest', mode]) {
  const all = merged(base);
  writeFileSync(`${dir}${base}.json`, JSON.stringify({ environment: env, results: all }, null, 2) + '\n');
  writeFileSync(`${dir}${base}.md`, markdown(env, all));
}
console.log(`\nwrote bench/results/latest.json and latest.md (and ${mode}.*)`);
const missed = results.flatMap((r) => r.figures.filter((f) => f.verdict === 'MISS').map((f) => f.label));
const errors = results.filter((r) => r.error).map((r) => r.name);
if (missed.length) console.log(`missed targets: ${missed.join('; ')}`);
if (errors.length) console.log(`errors: ${errors.join(', ')}`);
// a missed target is a finding, not a failure of the run; an error is
process.exitCode = errors.length ? 1 : 0;
