// The connector as its own OS process (the real CLI, `run`), as a deployment
// runs it, and a sampler of its resident memory from /proc/<pid>/status.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// the installed CLI script (its Node flags included); it execs node, so the pid is the connector's
const CLI = `${ROOT}bin/he-connector`;

export interface ConnectorChild {
  child: ChildProcess;
  pid: number;
  /** the last lines it printed (warnings and errors), for failure messages */
  output(): string;
  stop(): Promise<void>;
}

export function spawnConnectorChild(config: Config, args: string[] = ['--no-workers']): ConnectorChild {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(config)) if (v !== undefined && k !== 'LOG_FORMAT' && k !== 'LOG_LEVEL') env[k] = String(v);
  const child = spawn(CLI, ['run', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (b: Buffer) => { tail = (tail + b.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    pid: child.pid!,
    output: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface MemorySample { atMs: number; rssKb: number; hwmKb: number }

/** VmRSS and VmHWM (peak RSS) of a process, in kB; null once it has gone. */
export function readMemory(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(s);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(s);
    return rss && hwm ? { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) } : null;
  } catch {
    return null;
  }
}

/** Samples a process's memory every `everyMs` until stop(). */
export function sampleMemory(pid: number, everyMs = 100): { samples: MemorySample[]; stop(): MemorySample[] } {
  const t0 = performance.now();
  const samples: MemorySample[] = [];
  const take = () => {
    const m = readMemory(pid);
    if (m) samples.push({ atMs: Math.round(performance.now() - t0), ...m });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
