// pino JSON logs; human-readable when a person watches a terminal. Secrets and
// patient data are redacted by path as a second line of defence: the first is
// never passing them to the logger at all.
import pino from 'pino';

export type Logger = pino.Logger;

const REDACT = [
  'apiKey', 'practiceKey', 'he_practice_key', 'password', 'headers["api-key"]', 'headers["practice-key"]',
  '*.apiKey', '*.practiceKey', '*.he_practice_key', '*.password', 'patient', '*.patient',
];

export function createLogger(opts: { level?: string; format?: 'auto' | 'json' | 'pretty'; name?: string } = {}): Logger {
  const pretty = opts.format === 'pretty' || (opts.format !== 'json' && process.stdout.isTTY === true);
  const base = { level: opts.level ?? 'info', name: opts.name ?? 'he-connector', redact: { paths: REDACT, censor: '[hidden]' } };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name' } } });
  }
  return pino(base);
}

export const silentLogger: Logger = pino({ level: 'silent' });
