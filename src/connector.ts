// The one place the pipeline is wired together:
//   slot --> ReplicationStream --> ChangePipeline (planner) --> JobQueue (pg-boss)
//   pg-boss workers --> snapshot builders (adapter views) --> HealthengineClient
import { hostname } from 'node:os';
import pg from 'pg';
import { ChangePipeline, type ChangePipelineOptions } from './cdc/change-pipeline.ts';
import { OutboxPoller } from './cdc/outbox-poller.ts';
import { StreamRunner } from './cdc/stream-runner.ts';
import { userAgent, type Config } from './config/config.ts';
import { PUBLICATIONS } from './db/install.ts';
import { failedChecks, preflight } from './db/preflight.ts';
import { HealthengineClient } from './healthengine/client.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { registerWorkers } from './jobs/workers/register.ts';
import type { WorkerContext } from './jobs/worker-context.ts';
import type { Logger } from './log/logger.ts';

export interface ConnectorOptions {
  config: Config;
  logger: Logger;
  /** stream changes from the slot (false: only run workers) */
  stream?: boolean;
  /** run pg-boss workers */
  workers?: boolean;
  now?: () => Date;
  instanceId?: string;
  /** memory bounds of the change pipeline (tests make them small) */
  limits?: Pick<ChangePipelineOptions, 'maxPendingKeys' | 'maxStreamedKeys'>;
}

export class StartupError extends Error {}

export class Connector {
  readonly pool: pg.Pool;
  readonly jobs: JobQueue;
  readonly client: HealthengineClient;
  readonly pipeline: ChangePipeline;
  private runner: StreamRunner | null = null;
  private poller: OutboxPoller | null = null;
  private stopping = false;
  private readonly o: ConnectorOptions;

  constructor(opts: ConnectorOptions) {
    this.o = opts;
    const c = opts.config;
    this.pool = new pg.Pool({ connectionString: c.DATABASE_URL, max: 8, application_name: 'he-connector' });
    this.pool.on('error', (err) => {
      if (!this.stopping) opts.logger.warn({ err: { message: err.message } }, 'idle database connection failed');
    });
    this.jobs = new JobQueue({ connectionString: c.DATABASE_URL, schema: c.CONNECTOR_JOB_SCHEMA, logger: opts.logger });
    this.client = new HealthengineClient({
      baseUrl: c.HEALTHENGINE_BASE_URL,
      apiKey: c.HEALTHENGINE_API_KEY,
      userAgent: userAgent(c),
      headersTimeoutMs: c.CONNECTOR_HTTP_TIMEOUT_SECONDS * 1000,
      bodyTimeoutMs: c.CONNECTOR_HTTP_TIMEOUT_SECONDS * 1000,
      logger: opts.logger,
    });
    this.pipeline = new ChangePipeline({
      pool: this.pool,
      jobs: this.jobs,
      debounceSeconds: c.CONNECTOR_DEBOUNCE_SECONDS,
      horizonDays: c.CONNECTOR_HORIZON_DAYS,
      logger: opts.logger,
      ...(opts.now ? { now: opts.now } : {}),
      ...opts.limits,
    });
  }

  get isStreamOwner(): boolean {
    return this.runner?.isOwner ?? this.poller !== null;
  }

  workerContext(): WorkerContext {
    const c = this.o.config;
    return {
      pool: this.pool,
      client: this.client,
      jobs: this.jobs,
      logger: this.o.logger,
      vendorName: c.VENDOR_NAME,
      horizonDays: c.CONNECTOR_HORIZON_DAYS,
      debounceSeconds: c.CONNECTOR_DEBOUNCE_SECONDS,
      consentRetrySeconds: c.CONNECTOR_CONSENT_RETRY_SECONDS,
      now: this.o.now ?? (() => new Date()),
    };
  }

  async start(): Promise<void> {
    const c = this.o.config;
    const stream = this.o.stream ?? true;
    const failed = failedChecks(await preflight(this.pool, { slotName: c.CONNECTOR_SLOT_NAME, captureMode: c.CONNECTOR_CAPTURE_MODE, streaming: stream }));
    if (failed.length) {
      const f = failed[0]!;
      throw new StartupError(`cannot start: ${f.name}: ${f.detail}${f.fix ? `; fix: ${f.fix}` : ''}`);
    }
    await this.jobs.start();
    if (this.o.workers ?? true) await registerWorkers(this.workerContext(), { schedule: true });
    if (stream && c.CONNECTOR_CAPTURE_MODE === 'replication') {
      this.runner = new StreamRunner({
        pool: this.pool,
        connectionString: c.DATABASE_URL,
        slotName: c.CONNECTOR_SLOT_NAME,
        publications: PUBLICATIONS,
        sink: this.pipeline,
        logger: this.o.logger,
        heartbeatSeconds: c.CONNECTOR_HEARTBEAT_SECONDS,
        decodingWorkMemKb: c.CONNECTOR_DECODING_WORK_MEM_KB,
        instanceId: this.o.instanceId ?? `${hostname()}:${process.pid}`,
        acknowledgedEventId: () => this.pipeline.committedEventId,
      });
      this.runner.start();
    } else if (stream) {
      this.poller = new OutboxPoller({ pool: this.pool, connectionString: c.DATABASE_URL, pipeline: this.pipeline, logger: this.o.logger, pollSeconds: c.CONNECTOR_POLL_SECONDS });
      this.poller.start();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.runner?.stop();
    await this.poller?.stop();
    await this.jobs.stop().catch(() => {});
    await this.client.close().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
