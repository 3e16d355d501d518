// The CLI as a DBA and a practice admin use it, as a real process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDemoPms } from '../../src/pms-demo/install-demo.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let db: TestDatabase;

function cli(args: string[], env: Record<string, string> = {}, bin = `${ROOT}bin/he-connector`): { code: number; out: string; err: string } {
  const r = spawnSync(bin, args, {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, CONNECTOR_SLOT_NAME: `slot_${db.name}`, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  db = await createTestDatabase('cli');
  await installDemoPms(db.pool, { seed: true });
});
afterAll(async () => db.drop());

describe('he-connector CLI', () => {
  it('runs through a symlink (npm\'s global bin, the Docker image\'s /usr/local/bin) from any directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'he-bin-'));
    try {
      symlinkSync(`${ROOT}bin/he-connector`, join(dir, 'he-connector'));
      const r = cli(['doctor'], {}, join(dir, 'he-connector'));
      expect(r.err).not.toMatch(/Cannot find module|not found/);
      expect(r.out).toContain('database');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('doctor fails before install, with the fix, and passes after', () => {
    const before = cli(['doctor']);
    expect(before.code).toBeGreaterThan(0);
    expect(before.out).toContain('FAIL  schema');
    expect(before.out).toContain('fix: run: he-connector install');
    const plan = cli(['install', '--plan', '--demo-pms']);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('CREATE TABLE IF NOT EXISTS healthengine.practice_link');
    expect(plan.out).toContain('pg_create_logical_replication_slot');
    const inst = cli(['install', '--demo-pms']);
    expect(inst.code).toBe(0);
    expect(inst.out).toContain('slot created');
    expect(cli(['install', '--demo-pms']).out).toContain('migrations applied none (up to date)');
    const after = cli(['doctor']);
    expect(after.out).not.toContain('FAIL');
    expect(after.code).toBe(0);
  });

  it('link add / list / disable / enable / update, resync and status; the key is never shown', () => {
    const add = cli(['link', 'add', '--practice-id', '4242', '--locations', '1', '--label', 'Subiaco'], { HE_PRACTICE_KEY: 'very-secret-key' });
    expect(add.code).toBe(0);
    expect(add.out).toMatch(/link \d+ added/);
    expect(cli(['link', 'disable', '1']).out).toContain('link 1 disabled');
    expect(cli(['link', 'enable', '1']).out).toContain('link 1 enabled');
    expect(cli(['link', 'update', '1', '--locations', '1,2']).out).toContain('saved');
    expect(cli(['resync', '--scope', 'availability', '--link', '1']).out).toMatch(/resync request \d+ queued/);
    const list = cli(['link', 'list']);
    expect(list.out).toContain('4242');
    expect(list.out).toContain('1,2');
    const status = cli(['status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain('Practice links');
    expect(status.out).toMatch(/1\s+4242\s+1,2\s+pending/);
    expect(status.out).toContain('Change stream');
    expect(status.out).toContain('Recent resync requests');
    const json = JSON.parse(cli(['status', '--json']).out);
    expect(json.links[0].practiceId).toBe('4242');
    for (const text of [add.out, list.out, status.out, JSON.stringify(json)]) expect(text).not.toContain('very-secret-key');
  });

  it('bad input gets one line naming what is wrong and exit code 2', () => {
    const bad = cli(['status'], { CONNECTOR_DEBOUNCE_SECONDS: 'soon' });
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe("he-connector: CONNECTOR_DEBOUNCE_SECONDS: expected a number of seconds between 0 and 3600, got 'soon'");
    const noKey = cli(['run']);
    expect(noKey.code).toBe(2);
    expect(noKey.err.trim().split('\n')).toHaveLength(1);
    expect(noKey.err).toContain('HEALTHENGINE_API_KEY');
    const badLoc = cli(['link', 'add', '--practice-id', '1', '--locations', ' , '], { HE_PRACTICE_KEY: 'k' });
    expect(badLoc.code).toBe(2);
    expect(badLoc.err).toContain("--locations: expected a comma-separated list of PMS location ids, got ' , '");
    expect(cli(['link', 'disable', 'abc']).err).toContain("linkId: expected a number, got 'abc'");
    expect(cli(['link', 'enable', '999']).err).toContain('link 999 does not exist');
  });

  it('uninstall asks for confirmation, then removes everything', () => {
    expect(cli(['uninstall']).code).toBe(2);
    expect(cli(['uninstall', '--yes']).code).toBe(0);
    expect(cli(['doctor']).out).toContain('FAIL  schema');
  });
});
