// Starting the sandbox from the command line. The connector's CLI calls
// runSandboxFromCli(); `node src/sandbox/main.ts --help` also works alone.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConsentSchema } from './admin.ts';
import { createSandbox, type Sandbox } from './server.ts';
import type { PracticeSeed } from './state.ts';

export interface SandboxCliOptions {
  port: number;
  host: string;
  apiKey: string;
  practices: PracticeSeed[];
  timeScale: number;
}

/** Parses "id:key" or "id:key:consent" (consent granted|revoked|never, default granted). */
export function parsePracticeSeed(text: string): PracticeSeed {
  const [practiceId, practiceKey, consent = 'granted', ...rest] = text.split(':');
  const parsed = ConsentSchema.safeParse(consent);
  if (!practiceId || !practiceKey || rest.length > 0 || !parsed.success) {
    throw new TypeError(`practice must read id:key[:granted|revoked|never], got ${JSON.stringify(text)}`);
  }
  return { practiceId, practiceKey, consent: parsed.data };
}

/** Starts the sandbox and prints where it listens; resolves once it is up. */
export async function runSandboxFromCli(opts: SandboxCliOptions, out: (line: string) => void = console.log): Promise<Sandbox> {
  const sandbox = await createSandbox({
    port: opts.port,
    host: opts.host,
    apiKey: opts.apiKey,
    practices: opts.practices,
    timeScale: opts.timeScale,
  });
  out(`Healthengine sandbox listening`);
  out(`  PMS API base URL: ${sandbox.url}`);
  out(`  admin API:        ${sandbox.adminUrl}`);
  for (const p of opts.practices) out(`  practice ${p.practiceId} (consent: ${p.consent})`);
  if (opts.timeScale !== 1) out(`  time scale: ${opts.timeScale} (20 s auto-confirm takes ${20 * opts.timeScale} s)`);
  return sandbox;
}

const USAGE = `usage: node src/sandbox/main.ts [--port 4010] [--host 127.0.0.1] [--api-key KEY]
       [--practice id:key[:granted|revoked|never]]... [--time-scale 1]`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string', default: process.env.HEALTHENGINE_SANDBOX_API_KEY ?? 'sandbox-api-key' },
      practice: { type: 'string', multiple: true, default: ['1001:practice-key-1001'] },
      'time-scale': { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const sandbox = await runSandboxFromCli({
    port: Number(values.port),
    host: values.host,
    apiKey: values['api-key'],
    practices: values.practice.map(parsePracticeSeed),
    timeScale: Number(values['time-scale']),
  });
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
