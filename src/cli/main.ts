#!/usr/bin/env node
// he-connector: one CLI for the DBA, the practice admin and the on-call engineer.
import { Command, Option } from 'commander';
import pg from 'pg';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { Connector, StartupError } from '../connector.ts';
import { install, installPlan, uninstall, uninstallSql } from '../db/install.ts';
import { preflight } from '../db/preflight.ts';
import { insertLink, listLinks, updateLink } from '../db/queries/practice-links.ts';
import { insertResyncRequest } from '../db/queries/resync-requests.ts';
import { createLogger } from '../log/logger.ts';
import { demoAdapterSqlPath, installDemoPms } from '../pms-demo/install-demo.ts';
import { formatStatus, statusReport } from './status.ts';
import { table } from './table.ts';

class UsageError extends Error {}

function config(needsApiKey: boolean): Config {
  return loadConfig(process.env, {}, { requireApiKey: needsApiKey });
}

async function withPool<T>(c: Config, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: c.DATABASE_URL, max: 2, application_name: 'he-connector-cli' });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

function adapterPath(c: Config, opt: string | undefined, demo: boolean): string | undefined {
  return opt ?? c.CONNECTOR_ADAPTER_SQL ?? (demo ? demoAdapterSqlPath() : undefined);
}

function parseLocations(v: string): string[] {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError(`--locations: expected a comma-separated list of PMS location ids, got '${v}'`);
  return list;
}

function parseId(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: expected a number, got '${v}'`);
  return Number(v);
}

export function buildCli(): Command {
  const program = new Command('he-connector')
    .description('PMS -> Healthengine connector (change-data-capture on PostgreSQL)')
    .showHelpAfterError();

  program.command('install')
    .description('install the connector schema, the PMS adapter, publications and the replication slot (idempotent)')
    .option('--plan', 'print the SQL instead of running it (for a DBA to review and apply with psql)')
    .option('--adapter <file>', 'PMS adapter SQL file (default: CONNECTOR_ADAPTER_SQL)')
    .option('--demo-pms', 'also create the demo PMS schema with seed data and use its adapter')
    .action(async (o: { plan?: boolean; adapter?: string; demoPms?: boolean }) => {
      const c = config(false);
      const opts = { adapterSqlPath: adapterPath(c, o.adapter, Boolean(o.demoPms)), slotName: c.CONNECTOR_SLOT_NAME, createSlot: c.CONNECTOR_CAPTURE_MODE === 'replication', jobSchema: c.CONNECTOR_JOB_SCHEMA };
      await withPool(c, async (pool) => {
        if (o.plan) { process.stdout.write(await installPlan(pool, opts).catch(() => installPlan(undefined, opts))); return; }
        if (o.demoPms) await installDemoPms(pool, { seed: true });
        const r = await install(pool, opts);
        console.log(`installed: migrations applied ${r.migrationsApplied.length ? r.migrationsApplied.join(', ') : 'none (up to date)'}; adapter ${r.adapter ?? 'not given'}; slot ${r.slotCreated ? 'created' : 'already there'}`);
      });
    });

  program.command('uninstall')
    .description('remove the replication slot, publications, adapter triggers and the connector schemas')
    .option('--plan', 'print the SQL instead of running it')
    .option('--yes', 'confirm (the connector must be stopped)')
    .action(async (o: { plan?: boolean; yes?: boolean }) => {
      const c = config(false);
      if (o.plan) { console.log(uninstallSql(c.CONNECTOR_SLOT_NAME, c.CONNECTOR_JOB_SCHEMA).join(';\n') + ';'); return; }
      if (!o.yes) throw new UsageError('uninstall removes every link, resync request and queued job: add --yes to confirm');
      await withPool(c, (pool) => uninstall(pool, c.CONNECTOR_SLOT_NAME, c.CONNECTOR_JOB_SCHEMA));
      console.log('uninstalled');
    });

  program.command('doctor').alias('check')
    .description('check the database is ready for the connector; exit code = number of failed checks')
    .action(async () => {
      const c = config(false);
      const checks = await withPool(c, (pool) => preflight(pool, { slotName: c.CONNECTOR_SLOT_NAME, captureMode: c.CONNECTOR_CAPTURE_MODE, streaming: true }));
      for (const ch of checks) console.log(`${ch.ok ? 'ok  ' : 'FAIL'}  ${ch.name}: ${ch.detail}${!ch.ok && ch.fix ? `\n      fix: ${ch.fix}` : ''}`);
      process.exitCode = checks.filter((x) => !x.ok).length;
    });

  program.command('run')
    .description('run the connector: stream changes (one owner at a time) and work jobs')
    .option('--no-stream', 'only work jobs (scale-out instance)')
    .option('--no-workers', 'only stream changes into jobs')
    .action(async (o: { stream: boolean; workers: boolean }) => {
      const c = config(true);
      const logger = createLogger({ level: c.LOG_LEVEL, format: c.LOG_FORMAT });
      const connector = new Connector({ config: c, logger, stream: o.stream, workers: o.workers });
      await connector.start();
      logger.info({ stream: o.stream, workers: o.workers, healthengine: c.HEALTHENGINE_BASE_URL }, 'connector running');
      await new Promise<void>((resolve) => {
        const stop = () => { logger.info('stopping'); void connector.stop().then(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program.command('status')
    .description('links, their state, last pushes, pending jobs and slot lag')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const c = config(false);
      const r = await withPool(c, (pool) => statusReport(pool, c.CONNECTOR_SLOT_NAME, c.CONNECTOR_JOB_SCHEMA, c.CONNECTOR_CAPTURE_MODE));
      console.log(o.json ? JSON.stringify(r, null, 2) : formatStatus(r));
    });

  const link = program.command('link').description('manage practice links (Healthengine practice id + key -> PMS locations)');
  const keyOption = () => new Option('--practice-key <key>', 'Healthengine practice key (or set HE_PRACTICE_KEY, which keeps it out of shell history)').env('HE_PRACTICE_KEY');
  link.command('list').description('list links (keys are never shown)').action(async () => {
    const c = config(false);
    const links = await withPool(c, (pool) => listLinks(pool));
    console.log(table(['link', 'HE practice', 'locations', 'enabled', 'status', 'message'], links.map((l) => [String(l.linkId), l.practiceId, l.locationIds.join(','), l.enabled ? 'yes' : 'no', l.status, l.statusMessage ?? ''])));
  });
  link.command('add').description('link a Healthengine practice to PMS locations')
    .requiredOption('--practice-id <id>', 'Healthengine practice id')
    .addOption(keyOption())
    .requiredOption('--locations <ids>', 'comma-separated PMS location ids')
    .option('--label <text>', 'a name for people')
    .option('--disabled', 'add it disabled')
    .action(async (o: { practiceId: string; practiceKey?: string; locations: string; label?: string; disabled?: boolean }) => {
      if (!o.practiceKey) throw new UsageError('--practice-key (or HE_PRACTICE_KEY) is required');
      const c = config(false);
      const id = await withPool(c, (pool) => insertLink(pool, { practiceId: o.practiceId, practiceKey: o.practiceKey!, locationIds: parseLocations(o.locations), enabled: !o.disabled, label: o.label ?? null }));
      console.log(`link ${id} added; the connector validates it and sends the configuration (see: he-connector status)`);
    });
  link.command('update <linkId>').description('change a link (a new practice id or key stops all traffic to the old one)')
    .option('--practice-id <id>', 'new Healthengine practice id')
    .addOption(keyOption())
    .option('--locations <ids>', 'comma-separated PMS location ids')
    .option('--label <text>', 'a name for people')
    .action(async (idText: string, o: { practiceId?: string; practiceKey?: string; locations?: string; label?: string }) => {
      const c = config(false);
      const ok = await withPool(c, (pool) => updateLink(pool, parseId('linkId', idText), {
        ...(o.practiceId ? { practiceId: o.practiceId } : {}), ...(o.practiceKey ? { practiceKey: o.practiceKey } : {}),
        ...(o.locations ? { locationIds: parseLocations(o.locations) } : {}), ...(o.label ? { label: o.label } : {}),
      }));
      if (!ok) throw new UsageError(`link ${idText} does not exist`);
      console.log(`link ${idText} saved; its configuration is sent again`);
    });
  for (const [name, enabled] of [['disable', false], ['enable', true]] as const) {
    link.command(`${name} <linkId>`).description(`${name} a link`).action(async (idText: string) => {
      const c = config(false);
      const ok = await withPool(c, (pool) => updateLink(pool, parseId('linkId', idText), { enabled }));
      if (!ok) throw new UsageError(`link ${idText} does not exist`);
      console.log(`link ${idText} ${name}d`);
    });
  }

  program.command('resync')
    .description('ask the connector to send configuration and/or availability again')
    .addOption(new Option('--scope <scope>', 'what to send').choices(['config', 'availability', 'all']).default('all'))
    .option('--link <linkId>', 'one link')
    .option('--location <locationId>', 'the link(s) covering one PMS location')
    .action(async (o: { scope: 'config' | 'availability' | 'all'; link?: string; location?: string }) => {
      const c = config(false);
      const id = await withPool(c, (pool) => insertResyncRequest(pool, { scope: o.scope, linkId: o.link ? parseId('--link', o.link) : null, locationId: o.location ?? null, requestedBy: `cli:${process.env.USER ?? 'unknown'}` }));
      console.log(`resync request ${id} queued; its result appears in \`he-connector status\``);
    });

  program.command('sandbox')
    .description('run the local Healthengine sandbox (a faithful fake of the PMS API)')
    .option('--port <port>', 'port', '8787')
    .option('--host <host>', 'host', '127.0.0.1')
    .option('--api-key <key>', 'vendor api-key the sandbox accepts', 'sandbox-api-key')
    .option('--practice <id:key:consent...>', 'seeded practices, e.g. 1001:secret-key:granted', ['1001:sandbox-practice-key:granted'])
    .option('--time-scale <factor>', 'webhook retry / auto-confirm time scale (1 = real time)', '1')
    .action(async (o: { port: string; host: string; apiKey: string; practice: string[]; timeScale: string }) => {
      const { runSandboxFromCli } = await import('../sandbox/main.ts');
      const practices = o.practice.map((p) => {
        const [practiceId, practiceKey, consent] = p.split(':');
        if (!practiceId || !practiceKey || !['granted', 'revoked', 'never'].includes(consent ?? 'granted')) throw new UsageError(`--practice: expected id:key:granted|revoked|never, got '${p}'`);
        return { practiceId, practiceKey, consent: (consent ?? 'granted') as 'granted' | 'revoked' | 'never' };
      });
      await runSandboxFromCli({ port: Number(o.port), host: o.host, apiKey: o.apiKey, practices, timeScale: Number(o.timeScale) });
    });

  program.command('demo')
    .description('the whole product on an embedded PostgreSQL with the demo PMS and the sandbox')
    .option('--keep-running', 'keep everything running after the walkthrough')
    .option('--fresh', 'start from a new database')
    .action(async (o: { keepRunning?: boolean; fresh?: boolean }) => {
      const { runDemo } = await import('../demo/run-demo.ts');
      await runDemo({ keepRunning: Boolean(o.keepRunning), fresh: Boolean(o.fresh) });
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof StartupError) {
      console.error(`he-connector: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    const e = err as { message?: string; code?: string };
    console.error(`he-connector: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
