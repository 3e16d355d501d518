import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, userAgent } from '../../src/config/config.ts';

const base = { DATABASE_URL: 'postgres://u:p@localhost/db', HEALTHENGINE_API_KEY: 'secret-api-key-123' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults apply and the user agent follows Healthengine\'s vendor format', () => {
    const c = loadConfig({ ...base, VENDOR_NAME: 'Acme PMS', VENDOR_EMAIL: 'dev@acme.example', VENDOR_ENVIRONMENT: 'UAT' });
    expect(c.CONNECTOR_DEBOUNCE_SECONDS).toBe(3);
    expect(c.CONNECTOR_SLOT_NAME).toBe('healthengine_connector');
    expect(userAgent(c)).toBe('Acme PMS (dev@acme.example) UAT');
  });

  it('bad values stop start-up with one line naming the variable, the value and the form expected', () => {
    const e = errorOf({ ...base, CONNECTOR_DEBOUNCE_SECONDS: 'soon' });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.variable).toBe('CONNECTOR_DEBOUNCE_SECONDS');
    expect(e.message).toBe("CONNECTOR_DEBOUNCE_SECONDS: expected a number of seconds between 0 and 3600, got 'soon'");
    expect(errorOf({ ...base, CONNECTOR_HORIZON_DAYS: '1000' }).message).toMatch(/^CONNECTOR_HORIZON_DAYS: expected a whole number of days between 1 and 180, got '1000'$/);
    expect(errorOf({ ...base, DATABASE_URL: 'mysql://x' }).message).toMatch(/^DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect(errorOf({ ...base, VENDOR_ENVIRONMENT: 'prod' }).message).toBe("VENDOR_ENVIRONMENT: expected DEV, UAT or PROD, got 'prod'");
    expect(errorOf({ ...base, CONNECTOR_SLOT_NAME: 'Bad-Name' }).message).toContain('CONNECTOR_SLOT_NAME: expected a lower-case SQL identifier');
    expect(errorOf({ DATABASE_URL: base.DATABASE_URL }).message).toBe('HEALTHENGINE_API_KEY: expected the vendor api-key Healthengine issued (at least 8 characters), it is not set');
    expect(errorOf({ HEALTHENGINE_API_KEY: base.HEALTHENGINE_API_KEY }).message).toBe('DATABASE_URL: expected a URL starting with postgres:// or postgresql://, it is not set');
  });

  it('secrets are never echoed in errors', () => {
    const e = errorOf({ ...base, HEALTHENGINE_API_KEY: 'short' });
    expect(e.message).toContain('HEALTHENGINE_API_KEY');
    expect(e.message).not.toContain('short');
    expect(e.message).toContain('(hidden)');
  });

  it('a JSON file supplies values; the environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ ...base, CONNECTOR_DEBOUNCE_SECONDS: 7, LOG_LEVEL: 'debug' }));
    const c = loadConfig({ CONNECTOR_CONFIG_FILE: f, LOG_LEVEL: 'warn' });
    expect(c.CONNECTOR_DEBOUNCE_SECONDS).toBe(7);
    expect(c.LOG_LEVEL).toBe('warn');
    writeFileSync(f, '[1,2]');
    expect(errorOf({ CONNECTOR_CONFIG_FILE: f }).message).toContain('is not a JSON object');
    expect(errorOf({ CONNECTOR_CONFIG_FILE: join(dir, 'missing.json') }).message).toContain("cannot read '");
  });
});
