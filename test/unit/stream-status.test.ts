import { describe, expect, it } from 'vitest';
import { statusIntervalMs } from '../../src/cdc/replication-stream.ts';

describe('statusIntervalMs', () => {
  it('is PostgreSQL\'s 10 s unless the server hangs up sooner, then a third of its timeout, at least 1 s', () => {
    expect(statusIntervalMs(60_000)).toBe(10_000);
    expect(statusIntervalMs(0)).toBe(10_000); // timeout disabled
    expect(statusIntervalMs(15_000)).toBe(5_000);
    expect(statusIntervalMs(2_000)).toBe(1_000);
  });
});
