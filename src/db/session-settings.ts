// Server settings for one connection, given as the startup packet's
// `options` ("-c name=value").
import type { ClientConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/**
 * The client configuration of `connectionString` with `settings` added to
 * its startup `options`. node-pg lets a connection string's own `options`
 * replace an `options` passed beside it, so a DATABASE_URL carrying
 * `?options=...` would silently drop ours: this parses the string with
 * node-pg's own parser (pg-connection-string) and appends ours after the DBA's (the later `-c`
 * wins, and ours are the connector's to decide).
 */
export function withSessionSettings(connectionString: string, settings: Readonly<Record<string, string>>): ClientConfig {
  const parsed = parseIntoClientConfig(connectionString);
  const ours = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`);
  const options = [parsed.options, ...ours].filter((o) => typeof o === 'string' && o.trim() !== '').join(' ');
  return { ...parsed, ...(options ? { options } : {}) };
}
