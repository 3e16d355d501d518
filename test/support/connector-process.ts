// The connector as a separate OS process (the real CLI), so tests can SIGKILL it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// the installed CLI script (its Node flags included); it execs node, so the pid is the connector's
const CLI = `${ROOT}bin/he-connector`;

export interface ConnectorProcess {
  child: ChildProcess;
  pid: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnConnector(config: Config, logFile?: string): ConnectorProcess {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', LOG_LEVEL: logFile ? 'debug' : 'warn' };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) env[k] = String(v);
  const child = spawn(CLI, ['run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (logFile) {
    const out = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
  } else {
    child.stdout!.resume();
    child.stderr!.resume();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
