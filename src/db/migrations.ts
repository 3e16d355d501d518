// Versioned migrations of the connector's own schema (sql/migrations/NNNN_name.sql).
// Each runs in its own transaction under an advisory lock and is recorded first,
// so two installers racing collide cleanly instead of half-applying.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));
// any constant works; it only has to be the same for every installer
const INSTALL_LOCK_KEY = 0x4845_4331; // 'HEC1'

const BOOTSTRAP_SQL = `CREATE SCHEMA IF NOT EXISTS healthengine;
CREATE TABLE IF NOT EXISTS healthengine.schema_migration (
  version    integer PRIMARY KEY,
  name       text        NOT NULL,
  checksum   text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(dir + file, 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
      };
    });
}

async function appliedVersions(db: pg.ClientBase): Promise<Map<number, string>> {
  const exists = await db.query(`SELECT to_regclass('healthengine.schema_migration') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return new Map();
  const r = await db.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM healthengine.schema_migration`);
  return new Map(r.rows.map((row) => [row.version, row.checksum]));
}

export interface MigrationResult {
  applied: Migration[];
  alreadyApplied: number;
}

/** Applies pending migrations; a changed checksum of an applied one is an error, never silently re-run. */
export async function applyMigrations(pool: pg.Pool, migrations = loadMigrations()): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [INSTALL_LOCK_KEY]);
    await client.query(BOOTSTRAP_SQL);
    const done = await appliedVersions(client);
    const applied: Migration[] = [];
    for (const m of migrations) {
      const sum = done.get(m.version);
      if (sum !== undefined) {
        if (sum !== m.checksum) {
          throw new Error(`migration ${m.version}_${m.name} was changed after it was applied (checksum ${sum} in the database, ${m.checksum} on disk); write a new migration instead`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(`INSERT INTO healthengine.schema_migration (version, name, checksum) VALUES ($1, $2, $3)`, [m.version, m.name, m.checksum]);
        await client.query(m.sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [INSTALL_LOCK_KEY]).catch(() => {});
    client.release();
  }
}

/** The SQL applyMigrations would run, for a DBA to review and apply with psql. */
export async function planMigrations(pool: pg.Pool | undefined, migrations = loadMigrations()): Promise<string> {
  let done = new Map<number, string>();
  if (pool) {
    const c = await pool.connect();
    try { done = await appliedVersions(c); } finally { c.release(); }
  }
  const parts = [BOOTSTRAP_SQL];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    parts.push(`-- migration ${m.version}_${m.name}\nBEGIN;\nINSERT INTO healthengine.schema_migration (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}');\n${m.sql.trim()}\nCOMMIT;`);
  }
  return parts.join('\n\n');
}
