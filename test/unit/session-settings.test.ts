import { describe, expect, it } from 'vitest';
import { withSessionSettings } from '../../src/db/session-settings.ts';

describe('withSessionSettings', () => {
  it('adds the settings as startup options and keeps the rest of the connection string', () => {
    const c = withSessionSettings('postgres://he:s%40cret@db.example:6543/pms?application_name=x', { logical_decoding_work_mem: '1024kB' });
    expect(c).toMatchObject({ host: 'db.example', port: 6543, user: 'he', password: 's@cret', database: 'pms', application_name: 'x', options: '-c logical_decoding_work_mem=1024kB' });
  });

  it('appends ours after the options the connection string already has (the later -c wins)', () => {
    const c = withSessionSettings(`postgres://he@db/pms?options=${encodeURIComponent('-c statement_timeout=5s -c search_path=pms')}`, { logical_decoding_work_mem: '64kB', statement_timeout: '0' });
    expect(c.options).toBe('-c statement_timeout=5s -c search_path=pms -c logical_decoding_work_mem=64kB -c statement_timeout=0');
    expect(c).not.toHaveProperty('connectionString');
  });

  it('reads a Unix-socket host the way node-pg does', () => {
    const c = withSessionSettings('postgres://he@%2Fvar%2Frun%2Fpostgresql/pms', { logical_decoding_work_mem: '1MB' });
    expect(c).toMatchObject({ host: '/var/run/postgresql', database: 'pms', options: '-c logical_decoding_work_mem=1MB' });
  });
});
