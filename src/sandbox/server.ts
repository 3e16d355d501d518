// A faithful local Healthengine PMS API (openapi.yaml 1.9.0) over real HTTP:
//   <origin>/pms-api/v1/...  every operation of the spec (API_ROUTES)
//   <origin>/__admin/...     the admin API (admin-http.ts)
// Starts in-process for tests (port 0) and from the CLI (main.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { SandboxAdmin } from './admin.ts';
import { ADMIN_BASE_PATH, handleAdmin } from './admin-http.ts';
import { API_BASE_PATH, ApiHandler } from './api-handler.ts';
import { Scheduler, systemClock, type Clock } from './clock.ts';
import { FaultInjector } from './faults.ts';
import { sendJson } from './http-io.ts';
import { SandboxState, type PracticeSeed } from './state.ts';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the admin API has no auth. */
  host?: string;
  /** The vendor api-key the sandbox accepts. */
  apiKey: string;
  practices?: PracticeSeed[];
  /** Multiplies every delay given in seconds (auto-confirm, webhook retries); 1 = real time. */
  timeScale?: number;
  /** A booking not answered within this many (scaled) seconds is confirmed by Healthengine. Default 20. */
  autoConfirmSeconds?: number;
  /** How long a webhook receiver has to answer, real ms (not scaled). Default 5000. */
  webhookTimeoutMs?: number;
  /** Retries of a failed webhook, after these many (scaled) seconds. Default [10, 100, 1000]. */
  webhookRetryDelaysSeconds?: number[];
  /** Timestamps (bookedTime, webhook timestamps, subscription expiry checks). */
  clock?: Clock;
  /** Items per page of the paginated lists. Default 25. */
  perPage?: number;
  /** Slot length when a range's slotLength < 60 and the appointment type gives none. Default 15. */
  defaultAppointmentMinutes?: number;
  /** Refuse calls without a "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT" User-Agent. Default true. */
  requireVendorUserAgent?: boolean;
  logger?: Logger;
}

export interface Sandbox {
  /** Base URL of the PMS API, e.g. http://127.0.0.1:4010/pms-api/v1: give it to the client. */
  url: string;
  origin: string;
  adminUrl: string;
  port: number;
  admin: SandboxAdmin;
  close(): Promise<void>;
}

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  if (!opts.apiKey) throw new TypeError('apiKey is required');
  const logger = opts.logger ?? pino({ level: 'silent' });
  const scheduler = new Scheduler(opts.timeScale ?? 1);
  const state = new SandboxState({
    settings: {
      apiKey: opts.apiKey,
      perPage: opts.perPage ?? 25,
      autoConfirmSeconds: opts.autoConfirmSeconds ?? 20,
      defaultAppointmentMinutes: opts.defaultAppointmentMinutes ?? 15,
      requireVendorUserAgent: opts.requireVendorUserAgent ?? true,
    },
    clock: opts.clock ?? systemClock,
    scheduler,
    logger,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 5_000,
    webhookRetryDelaysSeconds: opts.webhookRetryDelaysSeconds ?? [10, 100, 1000],
  });
  const faults = new FaultInjector();
  const admin = new SandboxAdmin(state, faults);
  for (const seed of opts.practices ?? []) admin.addPractice(seed);
  const api = new ApiHandler(state, faults);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    let work: Promise<void>;
    if (path === API_BASE_PATH || path.startsWith(`${API_BASE_PATH}/`)) work = api.handle(req, res, url);
    else if (path === ADMIN_BASE_PATH || path.startsWith(`${ADMIN_BASE_PATH}/`)) work = handleAdmin(admin, req, res, url);
    else {
      sendJson(res, 404, { error: `not found: the PMS API lives under ${API_BASE_PATH}, the admin API under ${ADMIN_BASE_PATH}` });
      return;
    }
    work.catch((err: unknown) => {
      logger.error({ err }, 'sandbox request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal sandbox error' });
      else res.destroy();
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ origin }, 'healthengine sandbox listening');

  let closed: Promise<void> | undefined;
  return {
    url: `${origin}${API_BASE_PATH}`,
    origin,
    adminUrl: `${origin}${ADMIN_BASE_PATH}`,
    port,
    admin,
    close: () => {
      closed ??= (async () => {
        scheduler.close();
        await state.webhooks.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}
