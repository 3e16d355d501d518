// The demo PMS: a realistic practice-management schema (pms.*), its seed data
// and its adapter. The reference adapter, and the data of the demo and tests.
//
// Each file is sent as one multi-statement query, which PostgreSQL runs as one
// implicit transaction: a failed install leaves nothing half-created. Both
// files are idempotent (the seed skips itself when pms.clinic has rows), so
// installing twice is harmless. The adapter (demoAdapterSqlPath) is applied by
// the connector's own install, after its migrations.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = (name: string) => fileURLToPath(new URL(`../../sql/demo/${name}`, import.meta.url));

export function demoAdapterSqlPath(): string {
  return file('adapter.sql');
}

export async function installDemoPms(db: { query(text: string): Promise<unknown> }, opts: { seed?: boolean } = {}): Promise<void> {
  await db.query(readFileSync(file('pms_schema.sql'), 'utf8'));
  if (opts.seed !== false) await db.query(readFileSync(file('seed.sql'), 'utf8'));
}
