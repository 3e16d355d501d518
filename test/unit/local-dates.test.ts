import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dayToIso, isoToDay, localDayOf, weekdayOfDay } from '../../src/domain/local-dates.ts';

const localDateOf = (zone: string, ms: number) => { const d = localDayOf(zone, ms); return d === null ? null : dayToIso(d); };
const addDays = (iso: string, n: number) => dayToIso(isoToDay(iso)! + n);
const weekdayOf = (iso: string) => weekdayOfDay(isoToDay(iso)!);
const isIsoDate = (iso: string) => isoToDay(iso) !== null;

describe('localDayOf', () => {
  it('agrees with luxon on every 7-minute step through two years of Australian zones, DST changes included', () => {
    const zones = ['Australia/Sydney', 'Australia/Perth', 'Australia/Adelaide', 'Australia/Lord_Howe', 'Australia/Brisbane', 'Australia/Darwin', 'Australia/Hobart'];
    const start = Date.UTC(2026, 0, 1);
    for (const zone of zones) {
      for (let ms = start; ms < start + 730 * 86_400_000; ms += 7 * 60_000 + 13_000) {
        const want = DateTime.fromMillis(ms, { zone }).toISODate();
        if (localDateOf(zone, ms) !== want) throw new Error(`${zone} at ${new Date(ms).toISOString()}: ${localDateOf(zone, ms)} != ${want}`);
      }
    }
  });

  it('the instants around Sydney midnight and the October 2026 DST start', () => {
    // AEST -> AEDT on Sunday 4 October 2026 at 02:00 local (16:00 UTC on the 3rd)
    expect(localDateOf('Australia/Sydney', Date.UTC(2026, 9, 3, 13, 59, 59))).toBe('2026-10-03');
    expect(localDateOf('Australia/Sydney', Date.UTC(2026, 9, 3, 14, 0, 0))).toBe('2026-10-04');
    // after the change, midnight is 13:00 UTC
    expect(localDateOf('Australia/Sydney', Date.UTC(2026, 9, 4, 12, 59, 59))).toBe('2026-10-04');
    expect(localDateOf('Australia/Sydney', Date.UTC(2026, 9, 4, 13, 0, 0))).toBe('2026-10-05');
  });

  it('an unknown zone has no local date', () => {
    expect(localDateOf('Mars/Olympus_Mons', Date.UTC(2026, 0, 1))).toBeNull();
  });
});

describe('calendar arithmetic', () => {
  it('adds days across months, years and a leap day', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('weekdays, 0 = Sunday', () => {
    expect(weekdayOf('2026-11-22')).toBe(0);
    expect(weekdayOf('2026-11-23')).toBe(1);
    expect(weekdayOf('1969-12-28')).toBe(0); // before day 0
    expect(weekdayOf('2026-11-28')).toBe(6);
  });
  it('recognises real dates only', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2026-2-3')).toBe(false);
  });
});
