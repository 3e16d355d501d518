// An installed demo PMS database, a running connector and helpers to wait for
// what it does: the building block of the integration tests.
import { loadConfig, type Config } from '../../src/config/config.ts';
import { Connector, type ConnectorOptions } from '../../src/connector.ts';
import { install } from '../../src/db/install.ts';
import { silentLogger, createLogger, type Logger } from '../../src/log/logger.ts';
import { demoAdapterSqlPath, installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { createTestDatabase, type TestDatabase } from './pg.ts';

export const TEST_API_KEY = 'test-vendor-api-key';

export interface Harness {
  db: TestDatabase;
  config: Config;
  connectors: Connector[];
  startConnector(overrides?: Partial<Record<keyof Config, unknown>>, opts?: Pick<ConnectorOptions, 'stream' | 'workers' | 'instanceId' | 'limits'>): Promise<Connector>;
  stop(): Promise<void>;
}

export function testLogger(): Logger {
  return process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG, format: 'json' }) : silentLogger;
}

export async function createHarness(prefix: string, baseUrl: string, overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<Harness> {
  const db = await createTestDatabase(prefix);
  await installDemoPms(db.pool, { seed: true });
  const config = loadConfig({}, {
    DATABASE_URL: db.url,
    HEALTHENGINE_BASE_URL: baseUrl,
    HEALTHENGINE_API_KEY: TEST_API_KEY,
    CONNECTOR_SLOT_NAME: `slot_${db.name}`,
    CONNECTOR_DEBOUNCE_SECONDS: 0.2,
    CONNECTOR_HEARTBEAT_SECONDS: 1,
    VENDOR_NAME: 'Test PMS',
    ...overrides,
  });
  await install(db.pool, { adapterSqlPath: demoAdapterSqlPath(), slotName: config.CONNECTOR_SLOT_NAME, createSlot: config.CONNECTOR_CAPTURE_MODE === 'replication', jobSchema: config.CONNECTOR_JOB_SCHEMA });
  const connectors: Connector[] = [];
  return {
    db,
    config,
    connectors,
    async startConnector(o = {}, opts = {}) {
      const c = new Connector({ config: { ...config, ...(o as Partial<Config>) }, logger: testLogger(), ...opts });
      await c.start();
      connectors.push(c);
      return c;
    },
    async stop() {
      for (const c of connectors.splice(0)) await c.stop().catch(() => {});
      await db.drop();
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
