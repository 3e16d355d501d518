import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeRanges, normalise, subtract, toHhmm, type MinuteRange } from '../../src/domain/availability.ts';

const mon = '2026-11-30'; // a Monday
const hours = [{ weekday: 1, startTime: '09:00', endTime: '17:00', effectiveFrom: null, effectiveTo: null }];
const past = new Date('2026-11-01T00:00:00Z');

describe('availability arithmetic', () => {
  it('working hours minus appointments, in practice-local time', () => {
    const r = freeRanges({
      date: mon, timeZone: 'Australia/Perth', hours, exceptions: [], now: past,
      // 10:00-10:30 Perth = 02:00-02:30Z
      busy: [{ startsAt: new Date('2026-11-30T02:00:00Z'), endsAt: new Date('2026-11-30T02:30:00Z') }],
    });
    expect(r.map((x) => `${toHhmm(x.start)}-${toHhmm(x.end)}`)).toEqual(['09:00-10:00', '10:30-17:00']);
  });

  it('a whole-day leave empties the day; a part-day exception cuts it', () => {
    expect(freeRanges({ date: mon, timeZone: 'Australia/Sydney', hours, exceptions: [{ localFrom: mon, localTo: mon, startTime: null, endTime: null }], busy: [], now: past })).toEqual([]);
    const r = freeRanges({ date: mon, timeZone: 'Australia/Sydney', hours, exceptions: [{ localFrom: '2026-11-29', localTo: '2026-12-01', startTime: '12:00', endTime: '13:00' }], busy: [], now: past });
    expect(r.map((x) => `${toHhmm(x.start)}-${toHhmm(x.end)}`)).toEqual(['09:00-12:00', '13:00-17:00']);
  });

  it('other weekdays and hours outside their effective range give nothing', () => {
    expect(freeRanges({ date: '2026-12-01', timeZone: 'Australia/Perth', hours, exceptions: [], busy: [], now: past })).toEqual([]);
    expect(freeRanges({ date: mon, timeZone: 'Australia/Perth', hours: [{ ...hours[0]!, effectiveTo: '2026-11-29' }], exceptions: [], busy: [], now: past })).toEqual([]);
  });

  it('today starts from now; past days are empty', () => {
    const now = new Date('2026-11-30T03:10:00Z'); // 11:10 in Perth
    expect(freeRanges({ date: mon, timeZone: 'Australia/Perth', hours, exceptions: [], busy: [], now }).map((x) => toHhmm(x.start))).toEqual(['11:10']);
    expect(freeRanges({ date: '2026-11-23', timeZone: 'Australia/Perth', hours, exceptions: [], busy: [], now })).toEqual([]);
  });

  const range = fc.tuple(fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 0, max: 1440 })).map(([a, b]): MinuteRange => ({ start: Math.min(a, b), end: Math.max(a, b) }));
  const covered = (rs: MinuteRange[], m: number) => rs.some((r) => m >= r.start && m < r.end);

  it('subtract: a minute is free exactly when worked and not cut (property)', () => {
    fc.assert(fc.property(fc.array(range, { maxLength: 6 }), fc.array(range, { maxLength: 6 }), fc.integer({ min: 0, max: 1439 }), (base, cut, m) => {
      const out = subtract(base, cut);
      expect(covered(out, m)).toBe(covered(base, m) && !covered(cut, m));
    }));
  });

  it('normalise: sorted, disjoint, non-empty ranges covering the same minutes (property)', () => {
    fc.assert(fc.property(fc.array(range, { maxLength: 8 }), fc.integer({ min: 0, max: 1439 }), (rs, m) => {
      const n = normalise(rs);
      for (let i = 0; i < n.length; i++) {
        expect(n[i]!.end).toBeGreaterThan(n[i]!.start);
        if (i > 0) expect(n[i]!.start).toBeGreaterThan(n[i - 1]!.end);
      }
      expect(covered(n, m)).toBe(covered(rs, m));
    }));
  });
});
