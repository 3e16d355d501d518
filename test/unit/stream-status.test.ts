import { describe, expect, it } from 'vitest';
import { heartbeatTime, statusIntervalMs } from '../../src/cdc/replication-stream.ts';

describe('statusIntervalMs', () => {
  it('is PostgreSQL\'s 10 s unless the server hangs up sooner, then a third of its timeout, at least 1 s', () => {
    expect(statusIntervalMs(60_000)).toBe(10_000);
    expect(statusIntervalMs(0)).toBe(10_000); // timeout disabled
    expect(statusIntervalMs(15_000)).toBe(5_000);
    expect(statusIntervalMs(2_000)).toBe(1_000);
  });
});

describe('heartbeatTime', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('reads the ms the heartbeat carries; an earlier version\'s text timestamp, or anything else, is unknown', () => {
    expect(heartbeatTime(bytes('1795500000123'))).toBe(1_795_500_000_123);
    expect(heartbeatTime(bytes('2026-11-24 06:10:00.123456+00'))).toBeNull();
    expect(heartbeatTime(bytes(''))).toBeNull();
    expect(heartbeatTime(undefined)).toBeNull();
  });
});
