import { describe, expect, it } from 'vitest';
import { lsnBefore, lsnGreater, lsnToBigInt, maxLsn } from '../../src/cdc/lsn.ts';

describe('LSN arithmetic', () => {
  it('compares LSNs as numbers whatever their zero padding', () => {
    expect(lsnGreater('0/10', '00000000/0F')).toBe(true);
    expect(lsnGreater('1/0', '0/FFFFFFFF')).toBe(true);
    expect(maxLsn('0/A', null)).toBe('0/A');
    expect(maxLsn('0/A', '0/B')).toBe('0/B');
  });

  it('steps one byte back, across the 32-bit boundary, and not below 0/0', () => {
    expect(lsnBefore('0/3C72FD0')).toBe('0/3C72FCF');
    expect(lsnBefore('2/0')).toBe('1/FFFFFFFF');
    expect(lsnToBigInt(lsnBefore('00000001/00000001')!)).toBe((1n << 32n));
    expect(lsnBefore('0/0')).toBeNull();
  });
});
