// Connector configuration: environment variables, optionally layered over a
// JSON file (CONNECTOR_CONFIG_FILE). Validated once at start-up; a bad value
// stops start-up with one line naming the variable, the problem and the form expected.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const seconds = (min: number, max: number) =>
  z.coerce.number({ error: `expected a number of seconds between ${min} and ${max}` })
    .min(min, { error: `expected a number of seconds between ${min} and ${max}` })
    .max(max, { error: `expected a number of seconds between ${min} and ${max}` });

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expected a lower-case SQL identifier (letters, digits, _)' });

const API_KEY_FORM = 'expected the vendor api-key Healthengine issued (at least 8 characters)';

const url = (protocols: string[]) =>
  z.string({ error: `expected a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` }).refine((v) => {
    try { return protocols.includes(new URL(v).protocol); } catch { return false; }
  }, { error: `expected a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` });

const STREAM_KB = 'expected 0 (large transactions only at commit) or a whole number of kB between 64 and 1048576';

/** Each key is the environment variable's name: one vocabulary for env, file and errors. */
export const configSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  HEALTHENGINE_BASE_URL: url(['http:', 'https:']).default('https://healthengine.com.au/pms-api/v1'),
  HEALTHENGINE_API_KEY: z.string({ error: API_KEY_FORM }).min(8, { error: API_KEY_FORM }),
  VENDOR_NAME: z.string().min(1).default('PMS Connector'),
  VENDOR_EMAIL: z.email({ error: 'expected an e-mail address' }).default('integrations@example.com'),
  VENDOR_ENVIRONMENT: z.enum(['DEV', 'UAT', 'PROD'], { error: 'expected DEV, UAT or PROD' }).default('DEV'),
  CONNECTOR_CAPTURE_MODE: z.enum(['replication', 'outbox-poll'], { error: "expected 'replication' or 'outbox-poll'" }).default('replication'),
  CONNECTOR_SLOT_NAME: identifier.default('healthengine_connector'),
  CONNECTOR_JOB_SCHEMA: identifier.default('healthengine_jobs'),
  CONNECTOR_ADAPTER_SQL: z.string().optional(),
  CONNECTOR_DEBOUNCE_SECONDS: seconds(0, 3600).default(3),
  CONNECTOR_HORIZON_DAYS: z.coerce.number({ error: 'expected a whole number of days between 1 and 180' }).int({ error: 'expected a whole number of days between 1 and 180' }).min(1, { error: 'expected a whole number of days between 1 and 180' }).max(180, { error: 'expected a whole number of days between 1 and 180' }).default(28),
  CONNECTOR_HEARTBEAT_SECONDS: seconds(1, 3600).default(30),
  /** the walsender's logical_decoding_work_mem: a transaction bigger than this streams while it is written; 0 = only at commit */
  CONNECTOR_DECODING_WORK_MEM_KB: z.coerce.number({ error: STREAM_KB }).int({ error: STREAM_KB }).refine((n) => n === 0 || (n >= 64 && n <= 1_048_576), { error: STREAM_KB }).default(1024),
  CONNECTOR_POLL_SECONDS: seconds(1, 3600).default(5),
  CONNECTOR_CONSENT_RETRY_SECONDS: seconds(60, 86400).default(3600),
  CONNECTOR_HTTP_TIMEOUT_SECONDS: seconds(1, 300).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: "expected 'auto', 'json' or 'pretty'" }).default('auto'),
});

export type Config = z.infer<typeof configSchema>;
export const SECRET_KEYS: ReadonlySet<string> = new Set(['HEALTHENGINE_API_KEY', 'DATABASE_URL']);

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

function shown(key: string, value: unknown): string {
  if (value === undefined) return 'it is not set';
  if (SECRET_KEYS.has(key)) return 'got a value (hidden)';
  return `got '${String(value)}'`;
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('CONNECTOR_CONFIG_FILE', `CONNECTOR_CONFIG_FILE: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected a readable JSON file`);
  }
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* reported below */ }
  throw new ConfigError('CONNECTOR_CONFIG_FILE', `CONNECTOR_CONFIG_FILE: '${path}' is not a JSON object of VARIABLE: value pairs`);
}

/** Loads and validates; throws ConfigError with a one-line message. Empty strings count as unset. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof Config, unknown>> = {},
  opts: { requireApiKey?: boolean } = {},
): Config {
  const fromFile = env.CONNECTOR_CONFIG_FILE ? readFile(env.CONNECTOR_CONFIG_FILE) : {};
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = (overrides as Record<string, unknown>)[key] ?? (env[key] !== undefined && env[key] !== '' ? env[key] : fromFile[key]);
    if (v !== undefined) raw[key] = v;
  }
  // database-only commands (install, status, link...) do not talk to Healthengine
  const schema = opts.requireApiKey === false ? configSchema.extend({ HEALTHENGINE_API_KEY: z.string().default('') }) : configSchema;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? 'config');
    throw new ConfigError(key, `${key}: ${issue.message}, ${shown(key, raw[key])}`);
  }
  return parsed.data;
}

export function userAgent(c: Config): string {
  return `${c.VENDOR_NAME} (${c.VENDOR_EMAIL}) ${c.VENDOR_ENVIRONMENT}`;
}
