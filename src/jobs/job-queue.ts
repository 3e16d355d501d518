// pg-boss in the PMS database: queue definitions and the one place jobs are
// enqueued. Every queue is 'stately' keyed by the job key: at most one job
// waiting and one running per key, so a burst of changes to one key inside the
// debounce window (the job's start delay) becomes one job, and a change that
// arrives while the job runs queues exactly one follow-up.
import { PgBoss } from 'pg-boss';
import type pg from 'pg';
import { QUEUES, type JobRequest, type QueueName } from '../domain/jobs.ts';
import type { Logger } from '../log/logger.ts';

export interface JobQueueOptions {
  connectionString: string;
  schema: string;
  logger: Logger;
  /** run pg-boss maintenance and cron schedules in this instance */
  supervise?: boolean;
}

interface QueueSpec { retryLimit: number; retryDelay: number; expireInSeconds: number; debounce: boolean }

const SPECS: Record<QueueName, QueueSpec> = {
  [QUEUES.linkSync]: { retryLimit: 5, retryDelay: 5, expireInSeconds: 300, debounce: true },
  [QUEUES.configPush]: { retryLimit: 5, retryDelay: 5, expireInSeconds: 300, debounce: true },
  [QUEUES.availabilityPush]: { retryLimit: 5, retryDelay: 5, expireInSeconds: 300, debounce: true },
  [QUEUES.availabilityFull]: { retryLimit: 5, retryDelay: 5, expireInSeconds: 900, debounce: true },
  [QUEUES.requestsCheck]: { retryLimit: 3, retryDelay: 5, expireInSeconds: 300, debounce: false },
  [QUEUES.resync]: { retryLimit: 3, retryDelay: 5, expireInSeconds: 300, debounce: false },
  [QUEUES.appointmentOutbound]: { retryLimit: 10, retryDelay: 10, expireInSeconds: 120, debounce: false },
  [QUEUES.maintenance]: { retryLimit: 0, retryDelay: 0, expireInSeconds: 120, debounce: false },
};

export class JobQueue {
  readonly boss: PgBoss;
  readonly schema: string;
  private readonly log: Logger;

  constructor(opts: JobQueueOptions) {
    this.schema = opts.schema;
    this.log = opts.logger;
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: opts.schema,
      supervise: opts.supervise ?? true,
      schedule: opts.supervise ?? true,
      max: 4,
      // how soon a job whose worker died (no heartbeat) is retried
      superviseIntervalSeconds: 5,
    });
    this.boss.on('error', (err: Error) => this.log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const [name, spec] of Object.entries(SPECS)) {
      await this.boss.createQueue(name, {
        policy: 'stately',
        retryLimit: spec.retryLimit,
        retryDelay: spec.retryDelay,
        retryBackoff: true,
        retryDelayMax: 300,
        expireInSeconds: spec.expireInSeconds,
        deleteAfterSeconds: 3600,
        // workers refresh it while they run; a killed worker's job is retried within seconds, not at expiry
        heartbeatSeconds: 10,
      });
    }
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }

  /**
   * Enqueues the requests inside the caller's transaction when `client` is
   * given (the job exists only if that transaction commits). Returns how many
   * new jobs were created (keys already waiting are absorbed).
   */
  async enqueue(requests: readonly JobRequest[], debounceSeconds: number, client?: pg.ClientBase): Promise<number> {
    if (requests.length === 0) return 0;
    const byQueue = new Map<QueueName, JobRequest[]>();
    for (const r of requests) {
      const list = byQueue.get(r.queue);
      if (list) list.push(r); else byQueue.set(r.queue, [r]);
    }
    const db = client ? { executeSql: (text: string, values?: unknown[]) => client.query(text, values as unknown[]) } : undefined;
    let created = 0;
    for (const [queue, list] of byQueue) {
      const delay = SPECS[queue].debounce ? debounceSeconds : 0;
      const seen = new Set<string>();
      const rows = [];
      for (const r of list) {
        if (seen.has(r.key)) continue;
        seen.add(r.key);
        rows.push({ data: r.data, singletonKey: r.key, startAfter: delay });
      }
      const ids = await this.boss.insert(queue, rows, db ? { db, returnId: true } : { returnId: true });
      created += ids?.length ?? 0;
    }
    return created;
  }
}
