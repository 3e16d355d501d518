// What every worker needs, injected once by the connector.
import type pg from 'pg';
import type { HealthengineClient } from '../healthengine/client.ts';
import type { Logger } from '../log/logger.ts';
import type { JobQueue } from './job-queue.ts';

export interface WorkerContext {
  pool: pg.Pool;
  client: HealthengineClient;
  jobs: JobQueue;
  logger: Logger;
  vendorName: string;
  horizonDays: number;
  debounceSeconds: number;
  consentRetrySeconds: number;
  now: () => Date;
}
