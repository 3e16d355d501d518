// The one way the connector runs a statement group in its own transaction.
import type pg from 'pg';

/**
 * BEGIN, fn, COMMIT on a pooled client; ROLLBACK and rethrow on any error.
 * A checked-out client has no error listener of the pool's: a server
 * shutdown or a killed backend that arrives between two of fn's queries
 * would be an uncaught exception. It is caught here, fails the transaction's
 * next query anyway, and the broken client is discarded, not pooled.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => { broken = err; };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
