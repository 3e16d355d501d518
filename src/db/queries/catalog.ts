// Questions about the database's own catalog that several readers ask.
import type { Queryable } from './practice-links.ts';

/** Whether a table exists (`schema.name`): pg-boss's and the connector's working tables appear only once it has run. */
export async function tableExists(db: Queryable, qualifiedName: string): Promise<boolean> {
  const r = await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [qualifiedName]);
  return r.rows[0].ok;
}
