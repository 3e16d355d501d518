// The capture mode for databases where the connector's role may not
// replicate: read the outbox table itself. Each batch is locked with SKIP
// LOCKED, planned, enqueued and deleted in ONE transaction, so a crash either
// keeps the rows (they are read again) or keeps their jobs, never neither.
// Woken by LISTEN/NOTIFY; a poll every CONNECTOR_POLL_SECONDS covers missed notifications.
import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import type { ChangePipeline } from './change-pipeline.ts';
import { decodeOutboxRow } from './decode.ts';
import { withTransaction } from '../db/transaction.ts';

export const OUTBOX_CHANNEL = 'healthengine_outbox';

export interface OutboxPollerOptions {
  pool: pg.Pool;
  connectionString: string;
  pipeline: ChangePipeline;
  logger: Logger;
  pollSeconds: number;
  batchSize?: number;
}

export class OutboxPoller {
  private stopped = false;
  private listener: pg.Client | null = null;
  private wake: (() => void) | null = null;
  /** a notification came while a batch was being read: it may be about a row that batch did not see */
  private notified = false;
  private loop: Promise<void> | null = null;
  private readonly o: OutboxPollerOptions;

  constructor(opts: OutboxPollerOptions) {
    this.o = opts;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async listen(): Promise<void> {
    const c = new pg.Client({ connectionString: this.o.connectionString, application_name: 'he-connector-outbox-listener' });
    c.on('error', () => { this.listener = null; });
    c.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    await c.connect();
    await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = c;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.listener) await this.listen();
        this.notified = false;
        const n = await this.drainOnce();
        if (n >= (this.o.batchSize ?? 1000) || this.notified) continue;
      } catch (err) {
        this.o.logger.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'outbox poll failed; retrying');
        await this.listener?.end().catch(() => {});
        this.listener = null;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollSeconds * 1000);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
      this.wake = null;
    }
  }

  /** One batch: lock, plan, enqueue, delete, commit. Returns how many rows it consumed. */
  async drainOnce(): Promise<number> {
    try {
      return await withTransaction(this.o.pool, async (client) => {
        const r = await client.query(
          `SELECT * FROM healthengine.change_event ORDER BY event_id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [this.o.batchSize ?? 1000],
        );
        if (r.rows.length === 0) return 0;
        for (const row of r.rows) {
          const change = decodeOutboxRow(row);
          if (change) await this.o.pipeline.change(change);
        }
        this.o.pipeline.endTransaction();
        await this.o.pipeline.commit(client);
        await client.query(`DELETE FROM healthengine.change_event WHERE event_id = ANY($1::bigint[])`, [r.rows.map((x) => x.event_id)]);
        return r.rows.length;
      });
    } catch (err) {
      this.o.pipeline.discard();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop?.catch(() => {});
    await this.listener?.end().catch(() => {});
  }
}
